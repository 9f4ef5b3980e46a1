"""The strings the converter, the generated components, `kfmigrate verify` and the runtime agree on are
one definition each (migrate/contracts.py); the runtime package keeps its own copy (it must not import
kfmigrate), checked here by running it."""
import contextlib
import io
from types import SimpleNamespace

from kfmigrate.migrate import contracts


def test_the_runtime_prints_the_rendered_marker_verify_reads():
    from kfmigrate.compare.verify import rendered_from_log
    from kfmigrate_runtime.context import _airflow_runtime

    runtime = _airflow_runtime("etl", "load", "2024-03-05T00:00:00+00:00", "manual__1", {}, {})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runtime.report_rendered({"bash_command": "echo 2024-03-05", "api_token": "s3cret"})
    (line,) = out.getvalue().splitlines()
    assert line.startswith(contracts.RENDERED_MARKER)
    task = SimpleNamespace(log_tail=[line], log_path=None)
    assert rendered_from_log(task) == {"bash_command": "echo 2024-03-05", "api_token": "***"}


def test_every_schedule_preset_is_read_as_a_preset_and_others_as_cron():
    from kfmigrate.migrate.parse import parse_source
    from kfmigrate.migrate.schedule import PRESETS, PRESET_NAMES

    assert set(PRESETS) < PRESET_NAMES and {"@once", "@continuous"} < PRESET_NAMES
    for schedule in sorted(PRESET_NAMES) + ["*/5 * * * *"]:
        source = f"from airflow import DAG\nwith DAG('d', schedule={schedule!r}):\n    pass\n"
        (workflow,) = parse_source(source, "d.py").workflows
        assert workflow.schedule.kind == ("preset" if schedule.startswith("@") else "cron"), schedule


def test_generated_components_use_the_output_keys_verify_reads():
    from kfmigrate.migrate.api import convert_file
    from tests.golden.test_golden import SAMPLES

    (conversion,) = convert_file(next(p for p in SAMPLES if p.stem == "control_flow_branching"), compile=False).conversions
    source = conversion.emitted.python_source
    for key in (contracts.SKIP_OUTPUT, contracts.STATE_OUTPUT):
        assert f".outputs[{key!r}]" in source, key
    assert f"results[{contracts.FOLLOW_KEY!r}] = follow" in source


def test_connections_and_variables_travel_under_airflows_environment_names():
    import inspect

    import kfmigrate_runtime.variables
    from kfmigrate.migrate.operators.staticcalls import connection_env, variable_env

    assert connection_env("warehouse") == contracts.CONNECTION_ENV_PREFIX + "WAREHOUSE"
    assert variable_env("schema") == contracts.VARIABLE_ENV_PREFIX + "SCHEMA"
    runtime = inspect.getsource(kfmigrate_runtime.variables)  # the runtime keeps its own copy of the names
    assert f'"{contracts.CONNECTION_ENV_PREFIX}"' in runtime and f'"{contracts.VARIABLE_ENV_PREFIX}"' in runtime
