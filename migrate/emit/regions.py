"""Regions: the tasks a branch or short circuit skips directly, and the tasks only they lead to, sit
inside a dsl.If on the decision, so they do not start at all when Airflow would skip them.

Tasks outside a region that read from inside it get a dsl.Else with a stand-in task and read
dsl.OneOf(task output, stand-in output): KFP (2.17) accepts a dependency on a task inside a dsl.If
from outside only when the dsl.If has a dsl.Else, and a value from it only through dsl.OneOf.
"""
from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Set

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import trigger_rules
from kfmigrate.migrate.emit.graph import Dag
from kfmigrate.migrate.emit.nodes import (RUNS_AFTER_SKIPS, SHORT_CIRCUIT_SKIPS, SKIP_OUTPUT, SKIPS_PREFIX, Node, Output, Region,
                                StandIn, publishes, trigger_rule)
from kfmigrate.migrate.naming import identifier, unique
from kfmigrate.migrate.operators.branching import CONDITION_KEY, FOLLOW_KEY, control_kind


def candidate_regions(nodes: Dict[str, Node], graph) -> List[Region]:
    """One region per branch target, one per short circuit: the tasks Airflow skips when it does.
    graph: the skips.ControlGraph (the DAG's edges, branches and the short circuits skipping each task)."""
    found: List[Region] = []
    reach = _reach(nodes, graph.up)
    order = reach.order()
    for task_id, node in nodes.items():
        kind = control_kind(node.task)
        if kind is None or not publishes(node) or node.loop is not None:
            continue
        if task_id in graph.branches:
            targets = [t for t in nodes if task_id in graph.up[t]]  # in the DAG file's task order
            for target in [t for t in targets if t != trigger_rules.FINAL_ID]:
                members = _closure(nodes, reach, order, {target})
                found.append(Region(task_id, SKIPS_PREFIX + target, members, f"{task_id} follows {target}", f"{target}: skipped by {task_id}"))
        elif kind[0] == "short_circuit" and CONDITION_KEY in node.outputs:
            forced = {t for t, circuits in graph.short_circuits.items() if task_id in circuits}
            found.append(Region(task_id, SHORT_CIRCUIT_SKIPS, _closure(nodes, reach, order, forced), f"{task_id} is true",
                                f"skipped by the short circuit {task_id}"))
    found = [region for region in found if region.members]
    for index, region in enumerate(found):
        region.index = index
    # KFP groups nest: a region crossing another one (not inside it, not around it) is dropped
    for region in found:
        for other in found:
            if other is region or not other.alive or other.index > region.index:
                continue
            common = region.members & other.members
            if common and common != region.members and common != other.members:
                region.alive = False
                break
    return [region for region in found if region.alive]


def _reach(nodes: Dict[str, Node], up: Dict[str, List[str]]) -> Dag:
    """Airflow's edges (removed tasks included) and the values a task reads (KFP dependencies too)."""
    reach = Dag(nodes)
    for task_id, node in nodes.items():
        producers = list(up[task_id]) + [x.producer for x in node.xcom_inputs]
        producers += [s.task_id for s in (node.loop.sources if node.loop is not None else ()) if isinstance(s, ir.TaskOutput)]
        for producer in producers:
            reach.link(producer, task_id)
    return reach


def _closure(nodes: Dict[str, Node], reach: Dag, order: List[str], forced: Set[str]) -> Set[str]:
    """Tasks Airflow surely skips when a controller skips `forced`: those, and tasks all of whose upstream
    tasks are among them (unless their trigger rule runs after skipped upstream tasks)."""
    candidates = reach.after(forced)
    excluded: Set[str] = set()
    while True:
        members: Set[str] = set()
        for task_id in order:  # upstream tasks first: one pass decides
            node = nodes[task_id]
            if task_id not in candidates or task_id in excluded or node.container is not None or node.task.is_teardown:
                continue
            ups = set(reach.up[task_id])
            if task_id in forced:  # skipped whatever its rule; upstream tasks after the controller must come along
                fits = all(up in members or up not in candidates for up in ups)
            else:
                fits = bool(ups) and ups <= members and trigger_rule(node.task) not in RUNS_AFTER_SKIPS
            if fits:
                members.add(task_id)
        # a dsl.ParallelFor goes inside a dsl.If whole or not at all
        loops = {nodes[m].loop.key: nodes[m].loop for m in members if nodes[m].loop is not None}
        partial = {m for loop in loops.values() if not set(loop.members) <= members for m in loop.members}
        if not partial:
            return members
        excluded |= partial


def assign_regions(regions: List[Region], nodes: Dict[str, Node]) -> None:
    live = [r for r in regions if r.alive]
    for task_id, node in nodes.items():
        node.regions = sorted((r for r in live if task_id in r.members), key=lambda r: (-len(r.members), r.index))


class _Read(NamedTuple):
    """What a task needs from `producer`: its `output`, with the type and value a dsl.Else stand-in
    gives in its place; output None: the task only runs after the producer."""
    producer: str
    output: Optional[str]
    type: Optional[str] = None
    value: object = None


# (type, value) a stand-in gives for an output of each kind: what a skipped task outputs
_EMPTY = {"json": ("str", "null"), "str": ("str", ""), "int": ("int", 0), "float": ("float", 0.0), "bool": ("bool", False),
          "list": ("list", []), "dict": ("dict", {})}
_STAND_IN = {SKIP_OUTPUT: ("bool", True), trigger_rules.STATE_OUTPUT: ("str", "skipped")}


def _reads(node: Node, nodes: Dict[str, Node]) -> List[_Read]:
    """Everything a task needs from other tasks."""
    found = [_Read(x.producer, x.output, *_EMPTY.get(x.kind, ("str", "null"))) for x in node.xcom_inputs]
    found += [_Read(c.producer, c.output, *(_STAND_IN.get(c.output) or _EMPTY.get(c.type, ("str", ""))))
              for c in node.control_inputs]
    for source in (node.loop.sources if node.loop is not None else ()):
        if isinstance(source, ir.TaskOutput) and source.task_id in nodes and source.key in nodes[source.task_id].outputs:
            found.append(_Read(source.task_id, nodes[source.task_id].outputs[source.key].name, "str", "null"))
    linked = {read.producer for read in found}
    found += [_Read(up, None) for up in node.upstream if up in nodes and up not in linked]
    return found


def settle_regions(regions: List[Region], nodes: Dict[str, Node]) -> bool:
    """Decide the dsl.Else of each region and what it exposes; drop regions KFP cannot express.
    Returns whether a region was dropped (the decisions must be made again)."""
    live = [r for r in regions if r.alive]
    dropped = False
    for region in live:
        # Every region gets a dsl.Else: kfp.local (2.17) cannot evaluate the condition of a dsl.If next
        # to the task it tests (it looks the value up among the inputs of the enclosing DAG; measured);
        # with a dsl.Else, KFP wraps both in a group that gets the value as an input. The dsl.Else also
        # lets tasks after it depend on the tasks inside.
        region.exposed = {}
        if not any(nodes[m].plan.component for m in region.members):
            region.alive, dropped = False, True  # an empty dsl.If: nothing to gate
            continue
        inner = nodes[next(iter(region.members))].regions
        enclosing = inner[:inner.index(region)]
        if any(r not in enclosing for r in nodes[region.controller].regions):
            region.alive, dropped = False, True  # its condition would come from a region around a sibling
    for node in nodes.values():
        if not node.plan.component:
            continue
        for read in _reads(node, nodes):
            producer, output = read.producer, read.output
            crossing = [r for r in nodes[producer].regions if r.alive and r not in node.regions]
            if not crossing:
                continue
            if output is None:  # order only: allowed from outside a dsl.If with a dsl.Else
                continue
            if len(crossing) > 1 or nodes[producer].loop is not None:
                # dsl.OneOf reaches one group deep only, and takes no dsl.Collected: the inner region goes
                crossing[-1].alive, dropped = False, True
                continue
            crossing[0].exposed[(producer, output)] = StandIn(f"{nodes[producer].function}__{identifier(output, 'value')}",
                                                              read.type, read.value)
    return dropped


def controller_outputs(regions: List[Region], nodes: Dict[str, Node]) -> None:
    """Each branch / short circuit a region depends on publishes the bool its dsl.If tests."""
    for region in regions:
        if not region.alive:
            continue
        controller = nodes[region.controller]
        if region.key in controller.outputs:
            continue
        taken = {output.name for output in controller.outputs.values()} | {SKIP_OUTPUT}
        controller.outputs[region.key] = Output(unique(identifier(region.key, "output"), taken), "bool")
        if region.key == SHORT_CIRCUIT_SKIPS:
            code = f"not skipped and results.get({CONDITION_KEY!r}) is False"
        else:
            target = region.key[len(SKIPS_PREFIX):]
            code = f"not skipped and _airflow_not_followed({target!r}, results.get({FOLLOW_KEY!r}))"
        if not controller.decision_lines:
            controller.decision_lines.append("# For the dsl.If around the tasks it skips: True when Airflow would skip them")
        controller.decision_lines.append(f"results[{region.key!r}] = {code}")
