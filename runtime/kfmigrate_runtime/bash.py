"""Running a rendered command the way BashOperator runs it.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_run_bash(airflow, bash_command, env=None, append_env=False, cwd=None, skip_on_exit_code=99,
                      output_encoding="utf-8"):
    """Run a rendered command like BashOperator: output to the log, its last line the return value; exit
    code in skip_on_exit_code means skipped, other non-zero codes fail. Return (XCom values, skipped)."""
    import os
    import shutil
    import subprocess
    import tempfile

    airflow.report_rendered({"bash_command": bash_command, "env": env, "cwd": cwd})
    context = airflow.context
    run_env = dict(os.environ) if env is None or append_env else {}
    run_env.update(env or {})
    run_env.update(
        AIRFLOW_CTX_DAG_ID=context["dag"].dag_id, AIRFLOW_CTX_TASK_ID=context["task"].task_id,
        AIRFLOW_CTX_LOGICAL_DATE=context["ts"], AIRFLOW_CTX_DAG_RUN_ID=context["run_id"],
        AIRFLOW_CTX_TRY_NUMBER=str(context["ti"].try_number),
    )
    if skip_on_exit_code is None:
        skip_codes = []
    elif isinstance(skip_on_exit_code, int):
        skip_codes = [skip_on_exit_code]
    else:
        skip_codes = list(skip_on_exit_code)
    if cwd is not None and not os.path.isdir(cwd):
        raise airflow.AirflowException(f"Can not find the cwd: {cwd}")
    with tempfile.TemporaryDirectory(prefix="airflowtmp") as scratch:
        process = subprocess.Popen(
            [shutil.which("bash") or "bash", "-c", bash_command], cwd=cwd or scratch, env=run_env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        last_line = ""
        for raw_line in process.stdout:
            last_line = raw_line.decode(output_encoding, errors="backslashreplace").rstrip()
            print(last_line, flush=True)
        exit_code = process.wait()
    if exit_code in skip_codes:
        print(f"Bash command returned exit code {exit_code}. Skipping.")
        return {}, True
    if exit_code != 0:
        raise airflow.AirflowException(
            f"Bash command failed. The command returned a non-zero exit code {exit_code}.")
    return dict(airflow.pushed, return_value=last_line), False
