"""Task callbacks and the attempt number they see.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_task_callbacks(callbacks, kind, context):
    """Call a task's callbacks of one kind like Airflow's task runner: each gets the context; a failing
    callback is logged and changes nothing."""
    import traceback

    for callback in callbacks.get(kind, []):
        print(f"[kfmigrate] {kind}: {getattr(callback, '__name__', callback)}")
        try:
            callback(context)
        except Exception:
            traceback.print_exc()


def _airflow_attempt(retry_index, attempts_path):
    """This attempt's Airflow try number (1 for the first). On a KFP cluster Argo fills {{retries}} into
    retry_index; kfp.local leaves it as written but keeps the task's output folder between attempts,
    so a counter file there counts them."""
    import os

    attempt = 1
    if str(retry_index).isdigit():
        attempt = int(retry_index) + 1
    else:
        try:
            with open(attempts_path) as handle:
                attempt = int(handle.read().strip() or 0) + 1
        except (OSError, ValueError):
            pass
    os.makedirs(os.path.dirname(attempts_path) or ".", exist_ok=True)
    with open(attempts_path, "w") as handle:
        handle.write(str(attempt))
    return attempt
