"""schedule and deploy: the converter (kfmigrate.migrate.api) + the real kfp.Client + the loopback KFP server."""
import json
import textwrap
from pathlib import Path

from kfp_loopback import Fault

SAMPLE_DAG = Path(__file__).resolve().parents[2] / "samples" / "dags" / "hello_world.py"


def write_dag(folder: Path, name: str, schedule: str, extra: str = "") -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(f'''
        from datetime import datetime, timedelta

        from airflow.sdk import Asset, dag, task


        @dag(schedule={schedule}, start_date=datetime(2024, 1, 1){extra})
        def {name}():
            @task
            def report() -> str:
                return "ok"

            report()


        {name}()
    '''))
    return path


# ---------------------------------------------------------------- schedule
def test_schedule_translates_the_airflow_cron(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "weekday_report", '"0 6 * * 1-5"', ", end_date=datetime(2030, 1, 1), catchup=True")
    result = cli("kubeflow", "schedule", dag, "--experiment", "nightly", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["cron_schedule"] == {"cron": "0 0 6 * * 1-5", "start_time": "2024-01-01T00:00:00Z",
                                                    "end_time": "2030-01-01T00:00:00Z"}
    assert recurring["no_catchup"] is False
    assert recurring["mode"] == "ENABLE" and recurring["max_concurrency"] == "1"
    assert recurring["pipeline_version_reference"]["pipeline_version_id"] in kfp_server.versions
    assert result.stdout.startswith("created recurring run")
    # again: same trigger, same version -> nothing new
    again = cli("kubeflow", "schedule", dag, "--experiment", "nightly", "--host", kfp_server.url)
    assert again.exit_code == 0 and again.stdout.startswith("exists")
    assert len(kfp_server.recurring) == 1 and len(kfp_server.versions) == 1


def test_schedule_timedelta_becomes_a_periodic_trigger(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "every_two_hours", "timedelta(hours=2)")
    result = cli("kubeflow", "schedule", dag, "--experiment", "e", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["periodic_schedule"]["interval_second"] in ("7200", 7200)
    assert recurring["no_catchup"] is True


def test_schedule_preset_passes_the_servers_cron_parser(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "daily_job", '"@daily"')
    assert cli("kubeflow", "schedule", dag, "--experiment", "e", "--host", kfp_server.url).exit_code == 0
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["cron_schedule"]["cron"] == "0 0 0 * * *"


def test_asset_schedule_cannot_be_a_recurring_run(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "on_asset", '[Asset("s3://bucket/raw")]')
    result = cli("kubeflow", "schedule", dag, "--experiment", "e", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "KFM207" in result.stderr and "asset" in result.stderr and "--cron" in result.stderr
    assert kfp_server.recurring == {}
    # with an explicit cron it works, and the DAG's start date is kept
    forced = cli("kubeflow", "schedule", dag, "--experiment", "e", "--cron", "30 1 * * *", "--host", kfp_server.url)
    assert forced.exit_code == 0, forced.output
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["cron_schedule"]["cron"] == "0 30 1 * * *"
    assert recurring["trigger"]["cron_schedule"]["start_time"] == "2024-01-01T00:00:00Z"


def test_changed_trigger_needs_replace(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "job", '"@hourly"')
    assert cli("kubeflow", "schedule", dag, "--experiment", "e", "--host", kfp_server.url).exit_code == 0
    other = cli("kubeflow", "schedule", dag, "--experiment", "e", "--cron", "@daily", "--host", kfp_server.url)
    assert other.exit_code == 1 and "--replace" in other.stderr
    replaced = cli("kubeflow", "schedule", dag, "--experiment", "e", "--cron", "@daily", "--replace",
                   "--host", kfp_server.url)
    assert replaced.exit_code == 0 and replaced.stdout.startswith("replaced")
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["cron_schedule"]["cron"] == "0 0 0 * * *"


def test_package_schedule_needs_a_cron_and_rejects_bad_ones(cli, kfp_server, hello_yaml):
    missing = cli("kubeflow", "schedule", hello_yaml, "--experiment", "e", "--host", kfp_server.url)
    assert missing.exit_code == 2 and "--cron or --interval" in missing.stderr
    bad = cli("kubeflow", "schedule", hello_yaml, "--experiment", "e", "--cron", "0 0 L * *", "--host", kfp_server.url)
    assert bad.exit_code == 2 and "'L'" in bad.stderr
    ok = cli("kubeflow", "schedule", hello_yaml, "--experiment", "e", "--interval", "900", "--no-catchup",
             "--max-concurrency", "3", "--host", kfp_server.url)
    assert ok.exit_code == 0, ok.output
    (recurring,) = kfp_server.recurring.values()
    assert recurring["max_concurrency"] == "3" and recurring["no_catchup"] is True


# ---------------------------------------------------------------- deploy
def test_deploy_converts_uploads_runs_and_waits(cli, kfp_server):
    result = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--wait", "--poll", "0",
                 "--param", "name=Airflow", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (pipeline,) = kfp_server.pipelines.values()
    assert pipeline["name"] == "hello-world"
    assert "Converted from Airflow DAG hello_world" in pipeline["description"]
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"name": "Airflow"}
    assert entry["run"]["state"] == "SUCCEEDED"
    tasks = entry["run"]["run_details"]["task_details"]
    assert [t["display_name"] for t in tasks] == list(sorted(entry["spec"]["root"]["dag"]["tasks"]))
    assert "say-hello" in result.stdout and "SUCCEEDED" in result.stdout
    assert f"#/runs/details/{entry['run']['run_id']}" in result.stdout


def test_deploy_again_reuses_everything(cli, kfp_server):
    assert cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--host", kfp_server.url).exit_code == 0
    again = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--host", kfp_server.url)
    assert again.exit_code == 0, again.output
    assert "reusing hello-world" in again.stdout and "using experiment" in again.stdout
    assert "reusing run" in again.stdout and "started run" not in again.stdout
    assert (len(kfp_server.pipelines), len(kfp_server.versions), len(kfp_server.experiments), len(kfp_server.runs)) \
        == (1, 1, 1, 1)
    fresh = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--new-run", "--host", kfp_server.url)
    assert fresh.exit_code == 0 and len(kfp_server.runs) == 2


def test_deploy_after_a_half_way_failure_creates_no_duplicates(cli, kfp_server):
    kfp_server.inject(Fault("RunService_CreateRun", "status", status=503, times=100))
    failed = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--retries", "1",
                 "--host", kfp_server.url)
    assert failed.exit_code == 1 and "failed after 2 attempts" in failed.stderr
    assert (len(kfp_server.pipelines), len(kfp_server.experiments), len(kfp_server.runs)) == (1, 1, 0)
    kfp_server.faults.clear()
    retried = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--host", kfp_server.url)
    assert retried.exit_code == 0, retried.output
    assert (len(kfp_server.pipelines), len(kfp_server.versions), len(kfp_server.experiments), len(kfp_server.runs)) \
        == (1, 1, 1, 1)


def test_deploy_with_schedule(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "weekday_report", '"0 6 * * 1-5"')
    result = cli("kubeflow", "deploy", dag, "--experiment", "e", "--schedule", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert len(kfp_server.runs) == 1
    (recurring,) = kfp_server.recurring.values()
    assert recurring["trigger"]["cron_schedule"]["cron"] == "0 0 6 * * 1-5"


def test_deploy_refuses_a_pipeline_package(cli, kfp_server, hello_yaml):
    result = cli("kubeflow", "deploy", hello_yaml, "--experiment", "e", "--host", kfp_server.url)
    assert result.exit_code == 2 and "not an Airflow DAG" in result.stderr
    assert kfp_server.requests == []


def test_deploy_json_params_are_typed(cli, kfp_server):
    result = cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "e", "--param", 'name="42"', "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"name": "42"}
    body = json.loads(kfp_server.calls("RunService_CreateRun")[0]["body"])
    assert body["display_name"] and body["experiment_id"] in kfp_server.experiments


def test_a_dag_without_schedule_cannot_be_scheduled(cli, kfp_server):
    result = cli("kubeflow", "schedule", SAMPLE_DAG, "--experiment", "e", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "KFM207" in result.stderr and "no schedule" in result.stderr and "--cron" in result.stderr
    # nothing was uploaded for a schedule that cannot be made
    assert kfp_server.pipelines == {} and kfp_server.recurring == {}


def test_upload_of_a_dag_file_converts_it_first(cli, kfp_server):
    result = cli("kubeflow", "upload", SAMPLE_DAG, "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (pipeline,) = kfp_server.pipelines.values()
    (version,) = kfp_server.versions.values()
    assert pipeline["name"] == "hello-world"
    assert version["pipeline_spec"]["pipelineInfo"]["name"] == "hello-world"


def test_the_command_module_imports_no_heavy_package():
    import subprocess
    import sys

    code = ("import sys, kfmigrate.commands.kubeflow; heavy = {'kfp', 'kubernetes', 'airflow', 'mlflow'} & "
            "{m.split('.')[0] for m in sys.modules}; print(sorted(heavy)); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_redeploying_a_changed_dag_moves_its_schedule_to_the_new_version(cli, kfp_server, tmp_path):
    dag = write_dag(tmp_path, "weekday_report", '"0 6 * * 1-5"')
    assert cli("kubeflow", "deploy", dag, "--experiment", "e", "--schedule", "--host", kfp_server.url).exit_code == 0
    dag.write_text(dag.read_text().replace('return "ok"', 'return "changed"'))
    result = cli("kubeflow", "deploy", dag, "--experiment", "e", "--schedule", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert len(kfp_server.versions) == 2 and len(kfp_server.runs) == 2
    (recurring,) = kfp_server.recurring.values()
    newest = max(kfp_server.versions.values(), key=lambda v: v["created_at"])
    assert recurring["pipeline_version_reference"]["pipeline_version_id"] == newest["pipeline_version_id"]
    assert "replaced recurring run" in result.stdout


TYPED_DAG = SAMPLE_DAG.with_name("etl_classic_airflow2.py")  # params region (string) and limit (integer)


def test_deploy_and_schedule_params_are_typed_like_kfmigrate_run(cli, kfp_server):
    for command in (("deploy",), ("schedule", "--cron", "0 5 * * *")):
        bad = cli("kubeflow", *command, TYPED_DAG, "--experiment", "e", "--param", "limit=x", "--host", kfp_server.url)
        assert bad.exit_code == 2, bad.output
        assert "parameter limit: 'x' is not a valid integer" in bad.stderr and "Traceback" not in bad.output
        assert kfp_server.requests == []  # refused before anything is sent

    result = cli("kubeflow", "deploy", TYPED_DAG, "--experiment", "e", "--param", "limit=7", "--param", "region=5",
                 "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"limit": 7, "region": "5"}


def test_deploy_reuses_a_run_only_with_the_same_parameters(cli, kfp_server):
    """issue 14, item 11: the reuse key includes the parameters."""
    def deploy(name):
        return cli("kubeflow", "deploy", SAMPLE_DAG, "--experiment", "migrated", "--param", f"name={name}",
                   "--host", kfp_server.url)

    assert deploy("Alice").exit_code == 0
    other = deploy("Bob")
    assert other.exit_code == 0, other.output
    assert "reusing run" not in other.stdout and len(kfp_server.runs) == 2
    assert sorted(e["run"]["runtime_config"]["parameters"]["name"] for e in kfp_server.runs.values()) == ["Alice", "Bob"]
    same = deploy("Alice")
    assert "reusing run" in same.stdout and len(kfp_server.runs) == 2
