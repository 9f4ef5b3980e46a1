# A project-shaped Airflow repository for kfmigrate's tests: operator subclasses in plugins/ and
# Airflow 1 plugin imports.
from setuptools import setup

setup(name="acme-pipelines", version="0.1.0")
