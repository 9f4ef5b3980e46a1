"""The wheel's package list; everything else about the distribution is in pyproject.toml.

pyproject's [tool.setuptools.package-dir] installs the folders migrate/, compare/ and kubeflow_ops/ as
kfmigrate.migrate, kfmigrate.compare and kfmigrate.kubeflow_ops, and runtime/kfmigrate_runtime as itself.
pyproject's packages.find cannot list a folder's packages under another name, so the list is computed
here from that mapping: a new subfolder is picked up without being named anywhere.
"""
import tomllib

from setuptools import find_namespace_packages, setup

with open("pyproject.toml", "rb") as handle:
    PACKAGE_DIR = tomllib.load(handle)["tool"]["setuptools"]["package-dir"]


def packages(name: str, folder: str) -> list:
    """Package `name` in `folder` and its subpackages, with or without __init__.py (migrate/schemas holds data)."""
    return [name, *(f"{name}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"]))]


setup(packages=[*packages("kfmigrate", "kfmigrate"), *(p for name, folder in PACKAGE_DIR.items() for p in packages(name, folder))])
