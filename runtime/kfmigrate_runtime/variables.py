"""Airflow Variables and Connections, read from AIRFLOW_VAR_* / AIRFLOW_CONN_* environment variables.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_variables():
    """Variable.get, {{ var.value.x }} / {{ var.json.x }} and {{ conn.x }}: read from AIRFLOW_VAR_<KEY> and
    AIRFLOW_CONN_<ID> environment variables, as Airflow looks them up first."""
    import json
    import os
    import types

    def variable(key, default=None, deserialize_json=False, has_default=False):
        env_name = "AIRFLOW_VAR_" + key.upper()
        if env_name not in os.environ:
            if has_default:
                return default
            raise KeyError(f"Variable {key} does not exist (set environment variable {env_name})")
        value = os.environ[env_name]
        return json.loads(value) if deserialize_json else value

    missing = object()

    class Variable:
        """airflow Variable.get reading AIRFLOW_VAR_<KEY> environment variables, as Airflow does first."""

        @staticmethod
        def get(key, default_var=missing, deserialize_json=False, default=missing, **_ignored):
            fallback = default if default is not missing else default_var
            return variable(key, fallback, deserialize_json, has_default=fallback is not missing)

    class VariableAccessor:
        """{{ var.value.x }} and {{ var.json.x }} in templates."""

        def __init__(self, deserialize_json):
            self._json = deserialize_json

        def __getattr__(self, key):
            if key.startswith("__"):
                raise AttributeError(key)
            return variable(key, deserialize_json=self._json)

        def get(self, key, default=None):
            return variable(key, default, self._json, has_default=True)

    class ConnectionAccessor:
        """{{ conn.my_id.host }}: a connection from AIRFLOW_CONN_<ID> (URI or JSON), as Airflow reads it."""

        def __getattr__(self, conn_id):
            import urllib.parse

            if conn_id.startswith("__"):
                raise AttributeError(conn_id)
            env_name = "AIRFLOW_CONN_" + conn_id.upper()
            if env_name not in os.environ:
                raise KeyError(f"The conn_id `{conn_id}` isn't defined (set environment variable {env_name})")
            text = os.environ[env_name]
            if text.lstrip().startswith("{"):
                data = json.loads(text)
                extra = data.get("extra") or {}
                extra = json.loads(extra) if isinstance(extra, str) else extra
                return types.SimpleNamespace(
                    conn_id=conn_id, conn_type=data.get("conn_type"), host=data.get("host"), login=data.get("login"),
                    password=data.get("password"), port=data.get("port"), schema=data.get("schema"), extra_dejson=extra)
            parts = urllib.parse.urlsplit(text)
            unquote = urllib.parse.unquote
            return types.SimpleNamespace(
                conn_id=conn_id, conn_type=parts.scheme.replace("-", "_"), host=unquote(parts.hostname or ""),
                login=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None, port=parts.port,
                schema=unquote(parts.path.lstrip("/")), extra_dejson=dict(urllib.parse.parse_qsl(parts.query)))

    return types.SimpleNamespace(Variable=Variable, conn=ConnectionAccessor(),
                                 var={"value": VariableAccessor(False), "json": VariableAccessor(True)})
