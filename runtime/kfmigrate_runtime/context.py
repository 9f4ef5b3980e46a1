"""What an Airflow task sees: its template context, its TaskInstance and XCom.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


from kfmigrate_runtime.dates import _airflow_pendulum  # noqa: F401 (called by name)
from kfmigrate_runtime.macros import _airflow_macros  # noqa: F401 (called by name)
from kfmigrate_runtime.variables import _airflow_variables  # noqa: F401 (called by name)


def _airflow_runtime(dag_id, task_id, logical_date, run_id, params, xcom, try_number=1):
    """What an Airflow task sees: its context, XCom and a few Airflow names. logical_date: ISO 8601, empty
    for now (a manual run); xcom: (task_id, key) -> value wired in from upstream tasks."""
    import datetime as dt
    import json
    import types

    # The optional parts (_airflow_xcom, _pendulum, _macros, _variables) are embedded where the code needs them
    optional = globals()
    if "_airflow_pendulum" in optional:
        DateTime = _airflow_pendulum()
    else:
        class DateTime(dt.datetime):
            """A datetime (this task uses none of pendulum's methods)."""

    utc = dt.timezone.utc
    now = DateTime.now(utc)
    if logical_date:
        date = DateTime.fromisoformat(logical_date.replace("Z", "+00:00"))
        date = date.replace(tzinfo=utc) if date.tzinfo is None else date.astimezone(utc)
    else:
        date = now
    run_id = run_id or f"manual__{now.isoformat()}"  # Airflow 3 names manual runs after the trigger time

    class AirflowException(Exception):
        """airflow.exceptions.AirflowException"""

    class AirflowSkipException(AirflowException):
        """Marks the task skipped"""

    class AirflowFailException(AirflowException):
        """Fails the task (KFP may still retry it)"""

    pushed = {}

    xcom_methods = [_airflow_xcom(xcom, pushed, AirflowException)] if "_airflow_xcom" in optional else []

    class TaskInstance(*xcom_methods):
        """What a converted callable can use of Airflow's TaskInstance"""

        def __init__(self):
            self.dag_id, self.task_id, self.run_id = dag_id, task_id, run_id
            self.try_number, self.map_index, self.logical_date = try_number, -1, date

    missing = object()
    macros = _airflow_macros() if "_airflow_macros" in optional else missing
    access = _airflow_variables() if "_airflow_variables" in optional else None
    ti = TaskInstance()
    ds = date.strftime("%Y-%m-%d")
    ts = date.isoformat()
    dag = types.SimpleNamespace(dag_id=dag_id)
    context = {
        "dag": dag,
        "task": types.SimpleNamespace(task_id=task_id, dag_id=dag_id, dag=dag),
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "params": dict(params),
        "macros": macros,
        "var": access.var if access else missing,
        "conn": access.conn if access else missing,
        "dag_run": types.SimpleNamespace(
            dag_id=dag_id, run_id=run_id, logical_date=date, conf={}, run_type="manual",
            data_interval_start=date, data_interval_end=date,
        ),
        "logical_date": date,
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "ts": ts,
        "ts_nodash": date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "data_interval_start": date,
        "data_interval_end": date,
        "task_instance_key_str": f"{dag_id}__{task_id}__{ds.replace('-', '')}",
        "inlets": [],
        "outlets": [],
    }
    context = {key: value for key, value in context.items() if value is not missing}

    def report_rendered(fields):
        """Log the rendered templated fields for `kfmigrate verify`, secret-looking keys masked as Airflow does."""
        secret = ("password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
                  "private_key", "authorization", "bearer", "credential")

        def masked(value, key=""):
            if any(word in str(key).lower() for word in secret):
                return "***"
            if isinstance(value, dict):
                return {k: masked(v, k) for k, v in value.items()}
            return [masked(v) for v in value] if isinstance(value, (list, tuple)) else value

        print("[kfmigrate] rendered " + json.dumps({k: masked(v, k) for k, v in fields.items()}, default=str), flush=True)

    return types.SimpleNamespace(
        context=context,
        pushed=pushed,
        report_rendered=report_rendered,
        get_current_context=lambda: context,
        **({"Variable": access.Variable} if access else {}),
        AirflowException=AirflowException,
        AirflowSkipException=AirflowSkipException,
        AirflowFailException=AirflowFailException,
    )


def _airflow_xcom(xcom, pushed, AirflowException):
    """ti.xcom_push and ti.xcom_pull (of the values wired in at conversion time): a TaskInstance base."""

    class XComMethods:
        def xcom_push(self, key, value):
            pushed[key] = value

        def xcom_pull(self, task_ids=None, dag_id=None, key="return_value", **_ignored):
            if isinstance(task_ids, str):
                return self._pull_one(task_ids, key)
            if task_ids is None:
                raise AirflowException("xcom_pull() without task_ids is not supported on KFP "
                                       "(kfmigrate wires literal task_ids only)")
            return [self._pull_one(one, key) for one in task_ids]

        def _pull_one(self, upstream_id, key):
            if (upstream_id, key) not in xcom:
                raise AirflowException(
                    f"xcom_pull(task_ids={upstream_id!r}, key={key!r}) was not wired at conversion time; "
                    "kfmigrate wires xcom_pull calls whose task_ids and key are literals"
                )
            return xcom[(upstream_id, key)]

    return XComMethods
