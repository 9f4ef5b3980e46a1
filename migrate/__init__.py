"""Airflow DAG -> IR -> KFP v2 converter library. Imports neither compare nor kubeflow_ops."""
