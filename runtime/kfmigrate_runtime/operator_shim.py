"""The operator shim: a real Airflow operator executed inside the KFP task.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_run_operator(airflow, module_name, class_name, kwargs, module_code=None, dynamic_kwargs=None):
    """Run an Airflow operator inside the KFP task (the operator shim); return (XCom values, skipped).

    The operator is built with the DAG's arguments, its templated fields are rendered by Airflow
    itself against the kfmigrate context, and `execute(context)` runs as in a worker. module_code:
    the DAG file's code for an operator class defined there (and for arguments that are Python
    expressions: dynamic_kwargs, name -> expression evaluated in that code's namespace).
    Connections come from AIRFLOW_CONN_<ID> environment variables (Airflow's own lookup order).
    """
    import importlib
    import os
    import tempfile
    import textwrap

    # A private Airflow home: never read or write the user's airflow.cfg or metadata database.
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="kfmigrate-airflow-home-")
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    namespace = {"__name__": "kfmigrate_dag_module"}
    if module_code:
        # dedent: the code sits indented inside the component function
        exec(compile(textwrap.dedent(module_code), "<code from the DAG file>", "exec"), namespace)
    operator_class = namespace[class_name] if class_name in namespace else getattr(importlib.import_module(module_name), class_name)
    arguments = dict(kwargs)
    for name, expression in (dynamic_kwargs or {}).items():
        arguments[name] = eval(expression, namespace)  # the DAG file's own expression, as Airflow evaluates it
    try:
        from airflow.exceptions import AirflowSkipException
    except ImportError:
        AirflowSkipException = airflow.AirflowSkipException
    operator = operator_class(**arguments)
    context = dict(airflow.context, task=operator)
    try:
        operator.render_template_fields(context)
        airflow.report_rendered({name: getattr(operator, name, None) for name in operator.template_fields})
        value = operator.execute(context)
    except (AirflowSkipException, airflow.AirflowSkipException) as skip:
        print(f"Task skipped: {skip}")
        return {}, True
    results = dict(airflow.pushed)
    if getattr(operator, "do_xcom_push", True):
        results["return_value"] = value
    return results, False
