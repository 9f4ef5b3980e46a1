"""Engines that run a workload and report per-task results in a comparable shape.

kfp_local.run_pipeline: a compiled KFP pipeline on kfp.local (child process, nothing installed into
the current interpreter). airflow.run_dag: an Airflow DAG under `dag.test()` in a temporary
AIRFLOW_HOME (child process, SQLite from a cached migrated template).
"""
