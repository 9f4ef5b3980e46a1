"""Jinja rendering of templated fields, as Airflow renders them.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_render(value, context):
    """Render a templated field (str, or lists/tuples/dict values of them) like Airflow: sandboxed,
    StrictUndefined, the `do` extension, its date filters. jinja2 is imported only for Jinja."""
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value and "{#" not in value:
            # Jinja drops one trailing newline even from plain text; Airflow shows the same.
            return value[:-1] if value.endswith("\n") else value
        import jinja2
        import jinja2.sandbox

        env = jinja2.sandbox.SandboxedEnvironment(
            undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"], cache_size=0,
        )
        env.filters.update(
            ds=lambda d: None if d is None else d.strftime("%Y-%m-%d"),
            ds_nodash=lambda d: None if d is None else d.strftime("%Y%m%d"),
            ts=lambda d: None if d is None else d.isoformat(),
            ts_nodash=lambda d: None if d is None else d.strftime("%Y%m%dT%H%M%S"),
            ts_nodash_with_tz=lambda d: None if d is None else d.isoformat().replace("-", "").replace(":", ""),
        )
        return env.from_string(value).render(**context)
    if isinstance(value, tuple):
        return tuple(_airflow_render(item, context) for item in value)
    if isinstance(value, list):
        return [_airflow_render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: _airflow_render(item, context) for key, item in value.items()}
    return value
