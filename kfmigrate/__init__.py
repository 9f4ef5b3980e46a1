"""kfmigrate: Airflow DAGs to Kubeflow Pipelines v2, with proof and measurements."""


def __getattr__(name):
    # the version is the distribution's (migrate/version.py), never a second literal here
    if name == "__version__":
        from kfmigrate.migrate.version import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


LIBRARIES = ("migrate", "compare", "kubeflow_ops")  # kfmigrate.<name>, from the folder <name>/ (pyproject's package-dir)


class _CheckoutLibraries:
    """Finds kfmigrate.migrate, .compare and .kubeflow_ops in a source checkout run without installing it
    (PYTHONPATH=<checkout>, pytest's pythonpath): there the folders sit beside this package, not inside
    it as in the wheel. An installed kfmigrate (wheel or editable) never needs this."""

    def __init__(self, root: str):
        self.root = root

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != __name__ or name not in LIBRARIES:
            return None
        import importlib.util
        import os

        folder = os.path.join(self.root, name)
        return importlib.util.spec_from_file_location(fullname, os.path.join(folder, "__init__.py"),
                                                      submodule_search_locations=[folder])


def _map_checkout_libraries() -> None:
    import os
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    checkout = not os.path.isdir(os.path.join(root, __name__, LIBRARIES[0])) and all(
        os.path.isfile(os.path.join(root, name, "__init__.py")) for name in LIBRARIES)
    if checkout and not any(isinstance(f, _CheckoutLibraries) for f in sys.meta_path):
        # first: another kfmigrate's editable finder in the same environment must not answer for this checkout
        sys.meta_path.insert(0, _CheckoutLibraries(root))


_map_checkout_libraries()
