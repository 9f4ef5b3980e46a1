"""The company's shared DAG code."""
