"""Trigger rules on skipped upstream tasks, and what branches follow.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_should_skip(trigger_rule, upstream_skipped):
    """Whether the trigger rule skips a task, given which direct upstream tasks were skipped (on KFP a
    failed upstream stops its dependants: only the skip half of each rule applies)."""
    flags = [bool(flag) for flag in upstream_skipped]
    if trigger_rule in ("all_success", "none_skipped", "all_done_min_one_success"):
        return any(flags)
    if trigger_rule in ("one_success", "none_failed_min_one_success", "one_done"):
        return bool(flags) and all(flags)
    if trigger_rule == "all_skipped":
        return not (flags and all(flags))
    if trigger_rule in ("one_failed", "all_failed"):
        return True  # no upstream failed (a failure would have stopped the run): Airflow skips
    return False  # none_failed, all_done, always: skipped upstreams do not matter


def _airflow_branch_ids(chosen):
    """A branch callable's return value as a list of task ids (None: follow nothing), like Airflow."""
    if chosen is None:
        return []
    if isinstance(chosen, str):
        return [chosen]
    return [str(item) for item in chosen]


def _airflow_not_followed(task_id, follow):
    """Whether a branch that chose `follow` skips its direct downstream task `task_id`.

    Choosing a task group follows the tasks inside it ("group.task" ids), as Airflow does.
    """
    if follow is None:  # the branch failed (an all_done task runs anyway): no direct skip
        return False
    prefixes = [task_id[:index] for index, char in enumerate(task_id) if char == "."]
    return not (task_id in follow or any(prefix in follow for prefix in prefixes))
