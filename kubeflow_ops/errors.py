"""Errors the Kubeflow commands report to the user (message + diagnostic code, never a traceback)."""
from __future__ import annotations

from typing import Optional


class KubeflowError(Exception):
    """A Kubeflow API or cluster problem, explained. code: KFM500 (API) or KFM501 (auth)."""

    def __init__(self, message: str, code: str = "KFM500", hint: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint

    def render(self) -> str:
        text = f"{self.code} {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


def exit_code(exc: Exception) -> int:
    """2 for bad input (an output that exists, a --param the pipeline does not take, a refused package,
    credentials or manifest options that cannot be used), as in every command; 1 for the cluster's or API's."""
    from kfmigrate.kubeflow_ops.auth import CredentialError
    from kfmigrate.kubeflow_ops.manifests import ManifestError
    from kfmigrate.kubeflow_ops.packages import ParamError

    if isinstance(exc, (CredentialError, ManifestError, ParamError, RefusedError)):
        return 2
    return 2 if isinstance(exc, KubeflowError) and exc.code == "KFM302" else 1


class AuthError(KubeflowError):
    def __init__(self, message: str, hint: Optional[str] = None):
        super().__init__(message, code="KFM501", hint=hint)


class RefusedError(KubeflowError):
    """Refused before anything is sent or changed (a known-broken pipeline, a clashing upload): exit 2,
    like other bad input; the message names the option that overrides it."""
