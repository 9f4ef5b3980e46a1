"""Calling a task callable the way PythonOperator / @task call it.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_call_python(airflow, python_callable, op_args, op_kwargs, templates_dict=None,
                         multiple_outputs=False):
    """Call a task callable like PythonOperator / @task (context entries it names, or all for **kwargs);
    return (XCom values: pushed ones and return_value, skipped)."""
    import inspect

    airflow.report_rendered({"templates_dict": templates_dict, "op_args": op_args, "op_kwargs": op_kwargs})
    context = dict(airflow.context, templates_dict=templates_dict)
    merged = {**context, **op_kwargs}
    signature = inspect.signature(python_callable)
    for name in list(signature.parameters)[: len(op_args)]:
        if name in merged and name not in op_kwargs:
            merged.pop(name)  # filled positionally; Airflow forbids the clash, we let the argument win
    if not any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        merged = {key: merged[key] for key in signature.parameters if key in merged}
    try:
        value = python_callable(*op_args, **merged)
        if inspect.iscoroutine(value):  # async callables run to completion, as Airflow 3 does
            import asyncio

            value = asyncio.run(value)
        if inspect.isgenerator(value):  # Airflow consumes what it yields (asset Metadata); the XCom is its return
            generator = value
            try:
                while True:
                    next(generator)
            except StopIteration as stop:
                value = stop.value
    except airflow.AirflowSkipException as skip:
        print(f"Task skipped: {skip}")
        return {}, True
    results = dict(airflow.pushed, return_value=value)
    if multiple_outputs:
        if not isinstance(value, dict):
            raise TypeError(f"multiple_outputs is set but the callable returned {type(value).__name__}, not a dict")
        results.update({str(key): item for key, item in value.items()})
    return results, False
