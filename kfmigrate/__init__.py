"""kfmigrate: Airflow DAGs to Kubeflow Pipelines v2, with proof and measurements."""

__version__ = "0.1.0"
