"""Modules from next to the DAG file, made importable inside the task.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _kfp_local_modules(files):
    """Make the modules from next to the DAG file importable: write them (relative path -> text) into a
    temporary folder appended to sys.path, as Airflow appends the dags folder. The folder is
    removed when the task's process exits (kfp.local runs tasks as local processes)."""
    import atexit
    import os
    import shutil
    import sys
    import tempfile

    folder = tempfile.mkdtemp(prefix="kfmigrate-modules-")
    atexit.register(shutil.rmtree, folder, True)
    for relative, text in files.items():
        path = os.path.join(folder, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    sys.path.append(folder)  # an installed module of the same name wins, as under Airflow
    return folder
