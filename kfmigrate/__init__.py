"""kfmigrate: Airflow DAGs to Kubeflow Pipelines v2, with proof and measurements."""


def __getattr__(name):
    # the version is the distribution's (migrate/version.py), never a second literal here
    if name == "__version__":
        from migrate.version import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
