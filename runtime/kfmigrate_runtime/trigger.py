"""TriggerDagRunOperator on KFP: start a run of another converted pipeline.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


from kfmigrate_runtime.kfp_api import _airflow_kfp_api  # noqa: F401 (called by name)


def _airflow_trigger_pipeline(airflow, dag_id, conf=None, run_id="", logical_date="", wait_for_completion=False,
                              poke_interval=60.0, allowed_states=("success",), failed_states=("failed",), api=None):
    """TriggerDagRunOperator on KFP: start a run of the pipeline converted from `dag_id`; return (XCom values, skipped).

    Talks to the KFP REST API v2beta1 directly (kfp.Client cannot be imported inside a running
    component). The pipeline (named as kfmigrate names it: lowercase, dashes) must be uploaded on
    the server at KFP_HOST (default: the in-cluster ml-pipeline service); in a Kubeflow pod the
    service account token at KF_PIPELINES_SA_TOKEN_PATH authenticates. conf keys that are
    parameters of the pipeline become run parameters (Airflow's conf overrides params), with
    logical_date and run_id. The run starts in experiment KFP_EXPERIMENT (default "Default"). api: `_airflow_kfp_api()`.
    """
    import os
    import time

    api = api or _airflow_kfp_api()
    call, by_name, host, namespace = api.call, api.by_name, api.host, api.namespace
    name = api.pipeline_name(dag_id)

    pipeline = by_name("pipelines", "pipelines", name)
    if not pipeline:
        raise airflow.AirflowException(f"DAG {dag_id!r}: no pipeline named {name!r} on {host}; convert and upload it first")
    versions = call("GET", f"pipelines/{pipeline['pipeline_id']}/versions", {"sort_by": "created_at desc", "page_size": 1})
    version = (versions.get("pipeline_versions") or [None])[0]
    if not version:
        raise airflow.AirflowException(f"pipeline {name!r} has no version on {host}")
    spec = version.get("pipeline_spec") or {}
    spec = spec.get("pipeline_spec", spec)  # a spec with a platform spec comes wrapped
    accepted = set(((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {})
    params = {}
    for key, value in (conf or {}).items():
        if key in accepted:
            params[key] = value
        else:
            print(f"conf key {key!r} is not a parameter of pipeline {name!r}: not passed (Airflow keeps it in dag_run.conf)")
    for key, value in (("logical_date", logical_date), ("run_id", run_id)):
        if value and key in accepted:
            params[key] = value
    experiment_name = os.environ.get("KFP_EXPERIMENT", "Default")
    experiment = by_name("experiments", "experiments", experiment_name)
    if not experiment:
        body = {"display_name": experiment_name, **({"namespace": namespace} if namespace else {})}
        experiment = call("POST", "experiments", body=body)
    run = call("POST", "runs", body={
        "display_name": run_id or f"{name} triggered by {airflow.context['dag'].dag_id}",
        "experiment_id": experiment["experiment_id"],
        "pipeline_version_reference": {"pipeline_id": pipeline["pipeline_id"], "pipeline_version_id": version["pipeline_version_id"]},
        "runtime_config": {"parameters": params},
    })
    print(f"Triggered pipeline {name!r}: run {run['run_id']}")
    results = dict(airflow.pushed, trigger_run_id=run["run_id"], return_value=None)
    if wait_for_completion:
        kfp_states = {"success": "SUCCEEDED", "failed": "FAILED", "running": "RUNNING", "queued": "PENDING"}
        allowed = {kfp_states.get(str(s).lower(), str(s).upper()) for s in allowed_states}
        failed = {kfp_states.get(str(s).lower(), str(s).upper()) for s in failed_states}
        while True:
            state = str(call("GET", f"runs/{run['run_id']}").get("state") or "")
            print(f"Run {run['run_id']} is {state}")
            if state in failed:
                raise airflow.AirflowException(f"{name} failed with failed state {state}")
            if state in allowed:
                break
            if state in ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELED"):
                raise airflow.AirflowException(f"{name} ended in state {state}, which is not an allowed state")
            time.sleep(poke_interval)
    return results, False
