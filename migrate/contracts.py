"""The names the converter, the generated components, `kfmigrate verify` and the runtime agree on.

Each is defined here once; a change here is a change of contract (old conversions stop matching).
The runtime package (runtime/kfmigrate_runtime) must not import kfmigrate: it keeps its own copy of
the log markers it prints, and tests/test_contracts.py checks that the copies are equal.
"""
from __future__ import annotations

# ---------------------------------------------------------------- component outputs
# Outputs the emitter adds to components, read by downstream components and by kfmigrate.compare.verify
SKIP_OUTPUT = "airflow_skipped"  # bool: Airflow would have skipped this task (it ran as a no-op)
STATE_OUTPUT = "airflow_state"  # 'success' | 'skipped' | 'failed' | 'upstream_failed': failures carried as data
FOLLOW_KEY = "airflow_follow"  # a branch's output: the task ids it follows
CONDITION_KEY = "airflow_condition"  # a short circuit's output: its truth value
RETURN_KEY = "return_value"  # Airflow's XCom key of a task's return value

# ---------------------------------------------------------------- log markers
# `[kfmigrate] rendered {"field": value, ...}`: a component's rendered templated fields (kfmigrate_runtime
# prints it, kfmigrate.compare.verify reads it)
RENDERED_MARKER = "[kfmigrate] rendered "
# a task's log on kfp.local: this line, then the attempt's number, starts each attempt (kfmigrate.compare.engines writes
# it, kfmigrate.compare.verify reads the last attempt's lines)
ATTEMPT_MARKER = "--- attempt "

# ---------------------------------------------------------------- Airflow's environment contract
# a connection / Variable reaches a component as an environment variable, named as Airflow names them
CONNECTION_ENV_PREFIX = "AIRFLOW_CONN_"
VARIABLE_ENV_PREFIX = "AIRFLOW_VAR_"

# ---------------------------------------------------------------- the migration report
FIDELITY_LEVELS = ("native", "shim", "placeholder", "removed")  # per task, best first
RUNS_AS_AIRFLOW = ("native", "removed")  # a task at any other level is "not native" (convert --strict)
REPORT_SUFFIX = ".migration.json"  # <stem>.migration.json next to <stem>_pipeline.py and <stem>.yaml
# in the error a placeholder component raises (migrate/operators/placeholder.py, shim.py)
PLACEHOLDER_MARK = "cannot run on KFP: "
