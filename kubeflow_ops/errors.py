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


class AuthError(KubeflowError):
    def __init__(self, message: str, hint: Optional[str] = None):
        super().__init__(message, code="KFM501", hint=hint)


class RefusedError(KubeflowError):
    """Refused before anything is sent or changed (a known-broken pipeline, a clashing upload): exit 2,
    like other bad input; the message names the option that overrides it."""
