"""Which credential to send to Kubeflow Pipelines, and how to talk about it without showing it.

Three kinds, as a Kubeflow install accepts them:
- sa-token: the projected service-account token the PodDefault `access-ml-pipeline` mounts in a
  notebook pod (path in KF_PIPELINES_SA_TOKEN_PATH); re-read on every request, as the kubelet rotates it.
- token: a bearer token from the environment variable KFP_TOKEN (never a command-line argument, which
  would land in shell history and `ps`).
- cookie: a Dex/oauth2-proxy session cookie from KFP_COOKIE, e.g. "authservice_session=...".
Secrets are kept out of reprs, messages and logs; `redact` scrubs them from any text we print.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

SA_TOKEN_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
SA_TOKEN_DEFAULT_PATH = "/var/run/secrets/kubeflow/pipelines/token"
TOKEN_ENV = "KFP_TOKEN"
COOKIE_ENV = "KFP_COOKIE"
AUTH_CHOICES = ("auto", "sa-token", "token", "cookie", "none")


@dataclass(frozen=True)
class Credential:
    kind: str  # 'sa-token' | 'token' | 'cookie' | 'none'
    token_path: Optional[str] = None
    token: Optional[str] = field(default=None, repr=False)
    cookie: Optional[str] = field(default=None, repr=False)

    def describe(self) -> str:
        """Which credential this is, in words, without its value."""
        if self.kind == "sa-token":
            return f"service-account token file {self.token_path} ({SA_TOKEN_ENV})"
        if self.kind == "token":
            return f"bearer token from ${TOKEN_ENV} (value hidden)"
        if self.kind == "cookie":
            name = (self.cookie or "").split("=", 1)[0].strip() or "?"
            return f"session cookie '{name}' from ${COOKIE_ENV} (value hidden)"
        return "no credential"

    def secrets(self) -> list:
        values = [self.token, self.cookie]
        if self.cookie and "=" in self.cookie:
            values += [part.split("=", 1)[1] for part in self.cookie.split(";") if "=" in part]
        return [v.strip() for v in values if v and len(v.strip()) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets():
            text = text.replace(secret, "***")
        return text


class CredentialError(ValueError):
    pass


def resolve_credential(auth: str = "auto", token_file: Optional[str] = None,
                       environ: Optional[Mapping[str, str]] = None) -> Credential:
    """Pick the credential: explicit --auth, else KFP_TOKEN, KFP_COOKIE, then an existing token file."""
    env = os.environ if environ is None else environ
    path = token_file or env.get(SA_TOKEN_ENV) or SA_TOKEN_DEFAULT_PATH
    if auth not in AUTH_CHOICES:
        raise CredentialError(f"unknown --auth {auth!r} (choose from {', '.join(AUTH_CHOICES)})")
    if auth == "auto":
        if env.get(TOKEN_ENV):
            auth = "token"
        elif env.get(COOKIE_ENV):
            auth = "cookie"
        elif token_file or os.path.isfile(path):
            auth = "sa-token"
        else:
            auth = "none"
    if auth == "token":
        if not env.get(TOKEN_ENV):
            raise CredentialError(f"--auth token needs the bearer token in ${TOKEN_ENV}")
        return Credential("token", token=env[TOKEN_ENV].strip())
    if auth == "cookie":
        if not env.get(COOKIE_ENV):
            raise CredentialError(f"--auth cookie needs the session cookie in ${COOKIE_ENV} (name=value)")
        cookie = env[COOKIE_ENV].strip()
        if "=" not in cookie:
            raise CredentialError(f"${COOKIE_ENV} must look like name=value (e.g. authservice_session=...)")
        return Credential("cookie", cookie=cookie)
    if auth == "sa-token":
        if not os.path.isfile(path):
            raise CredentialError(f"service-account token file {path} does not exist; inside a Kubeflow "
                                  f"notebook it is mounted by the PodDefault access-ml-pipeline")
        return Credential("sa-token", token_path=path)
    return Credential("none")


class RedactingFilter(logging.Filter):
    """Scrubs secrets from every log record that passes through a handler (kfp logs freely)."""

    def __init__(self, credential: Credential):
        super().__init__()
        self.credential = credential

    def filter(self, record: logging.LogRecord) -> bool:
        if self.credential.secrets():
            record.msg = self.credential.redact(record.getMessage())
            record.args = ()
        return True


def auth_hint(credential: Credential, status: int, kfp_namespace_hint: str = "kubeflow") -> str:
    """What to check after a 401/403, for the credential that was tried."""
    if credential.kind == "none":
        return (f"no credential was sent. Outside the cluster set ${TOKEN_ENV} (bearer token) or "
                f"${COOKIE_ENV} (Dex session cookie); inside a notebook the token file comes from the "
                "PodDefault access-ml-pipeline, which needs the label access-ml-pipeline: \"true\" on the "
                "Notebook (see `kfmigrate kubeflow notebook-setup`)")
    if credential.kind == "sa-token":
        return ("the token file is the projected service-account token of the PodDefault "
                "access-ml-pipeline: check the notebook carries the label access-ml-pipeline: \"true\" "
                "(restart it after adding the label), that the token audience is pipelines.kubeflow.org, "
                "and that an Istio AuthorizationPolicy in the KFP namespace "
                f"({kfp_namespace_hint} or kubeflow-system) allows cluster.local/ns/<namespace>/sa/default-editor "
                "to reach ml-pipeline (`kfmigrate kubeflow notebook-setup --apply`)")
    if credential.kind == "cookie":
        return ("the Dex session cookie may have expired or belong to another host: log in again in the "
                f"browser and copy a fresh cookie into ${COOKIE_ENV}")
    if status == 403:
        return ("the token was accepted but is not allowed here: check the --namespace is a profile you "
                "are a contributor of, and the AuthorizationPolicy for ml-pipeline")
    return f"the bearer token in ${TOKEN_ENV} was rejected: it may have expired or be meant for another audience"
