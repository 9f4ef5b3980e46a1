"""{{ macros.* }} in templates and the context.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_macros():
    """{{ macros.* }}: ds_add, ds_format and the modules Airflow puts there."""
    import datetime as dt
    import json
    import types

    def ds_add(ds, days):
        if not days:
            return str(ds)
        return (dt.datetime.strptime(str(ds), "%Y-%m-%d") + dt.timedelta(days=days)).strftime("%Y-%m-%d")

    def ds_format(ds, input_format, output_format):
        return dt.datetime.strptime(str(ds), input_format).strftime(output_format)

    class Macros(types.SimpleNamespace):
        """{{ macros.* }}; time, uuid and random are imported on first use (uuid alone costs ms per task)."""

        def __getattr__(self, name):
            import importlib

            if name in ("time", "uuid", "random"):
                module = importlib.import_module(name)
                return module.random if name == "random" else module
            raise AttributeError(name)

    return Macros(ds_add=ds_add, ds_format=ds_format, datetime=dt.datetime, timedelta=dt.timedelta, json=json)
