"""Trigger rules on failed upstream tasks: failures carried as data (output airflow_state).

Where a trigger rule downstream must see a failure, kfmigrate's components record their last
failure as the output airflow_state='failed' instead of failing the KFP task; each task decides from
its upstream tasks' states as Airflow does, and one last task fails the pipeline when Airflow would
fail the DAG run. Every function here is self-contained (`--runtime inline` copies its source).
"""


def _airflow_trigger(trigger_rule, upstream_states, setup_states=()):
    """What Airflow does with a task once its upstream tasks are done: 'run', 'skipped' or 'upstream_failed'.

    upstream_states: each direct upstream task's state ('success', 'skipped', 'failed', 'upstream_failed';
    'run' counts as 'success': a removed task that would have run); a mapped upstream counts once per
    map index. setup_states: the states of the upstream setup tasks (all_done_setup_success, teardowns).
    Mirrors Airflow 3's TriggerRuleDep with every upstream task finished."""
    states = ["success" if state == "run" else state for state in upstream_states]
    success, skipped = states.count("success"), states.count("skipped")
    failed, upstream_failed = states.count("failed"), states.count("upstream_failed")
    any_failed = failed + upstream_failed > 0
    rule = trigger_rule
    if rule == "all_success":
        return "upstream_failed" if any_failed else "skipped" if skipped else "run"
    if rule == "all_failed":
        return "skipped" if success or skipped else "run"
    if rule == "one_success":
        if states and skipped == len(states):
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "one_failed":
        return "run" if any_failed else "skipped"
    if rule == "one_done":
        return "run" if failed or success else "skipped"
    if rule == "none_failed":
        return "upstream_failed" if any_failed else "run"
    if rule == "none_failed_min_one_success":
        if any_failed:
            return "upstream_failed"
        if skipped == len(states):
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "none_skipped":
        return "skipped" if skipped else "run"
    if rule == "all_skipped":
        return "skipped" if success or any_failed else "run"
    if rule == "all_done_min_one_success":
        if skipped:
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "all_done_setup_success":
        setups = ["success" if state == "run" else state for state in setup_states]
        if setups and setups.count("skipped") == len(setups):
            return "skipped"
        return "upstream_failed" if setups and not setups.count("success") else "run"
    return "run"  # all_done, always: whatever the upstream tasks did


def _airflow_failed_for_good(error, retries, try_number):
    """Is this failure the task's last one, as Airflow decides? Airflow retries a failed task while
    try_number <= retries, except AirflowFailException and a sensor's timeout. A last failure is
    recorded as the output airflow_state='failed' (for the trigger rules downstream); an earlier one
    fails the attempt, so KFP retries it."""
    import traceback

    final = try_number > retries or type(error).__name__ in ("AirflowFailException", "AirflowSensorTimeout")
    if final:
        traceback.print_exc()
        print(f"[kfmigrate] the task failed (try {try_number}): recorded as airflow_state 'failed' for the "
              "trigger rules downstream; the DAG run state task fails the run if Airflow's would fail", flush=True)
    return final


def _airflow_dag_run_state(leaves):
    """Fail the pipeline as Airflow fails the DAG run: when a leaf task (one with no downstream task but
    teardowns) ended failed or upstream_failed. leaves: task id -> its states (one per map index)."""
    failed = {task: states for task, states in leaves.items()
              if any(state in ("failed", "upstream_failed") for state in states)}
    for task, states in leaves.items():
        print(f"[kfmigrate] leaf {task}: {', '.join(states) or 'no map index'}")
    if failed:
        raise RuntimeError("Airflow would mark this DAG run failed: leaf task(s) "
                           + ", ".join(f"{task} ({'/'.join(sorted(set(states)))})" for task, states in failed.items()))
    print("[kfmigrate] no leaf task failed: Airflow would mark this DAG run successful")
