"""The emitter's one graph utility (migrate/emit/graph.py): the order the generated code follows."""
from kfmigrate.migrate import ir
from kfmigrate.migrate.emit.graph import Dag


def dag(names, links):
    found = Dag(names)
    for upstream, downstream in links:
        found.link(upstream, downstream)
    return found


def test_order_follows_the_links_and_else_the_order_tasks_were_added_in():
    # c is ready first but comes after a and b, which were added before it
    graph = dag("abcd", [("d", "a"), ("d", "b")])
    assert graph.order() == ["c", "d", "a", "b"]
    assert dag("cab", []).order() == ["c", "a", "b"]
    # a task waits for every upstream task, however many paths lead to it
    assert dag("abcd", [("a", "d"), ("b", "d"), ("d", "c")]).order() == ["a", "b", "d", "c"]


def test_a_cycle_keeps_the_order_tasks_were_added_in_after_what_can_run():
    graph = dag("abcd", [("b", "c"), ("c", "b"), ("a", "d")])
    assert graph.order() == ["a", "d", "b", "c"]
    self_loop = dag("ab", [("a", "a")])
    assert self_loop.order() == ["b", "a"]


def test_reach_descendants_and_after():
    graph = dag("abcde", [("a", "b"), ("b", "c"), ("a", "d")])
    assert graph.reached(["a"]) == {"b", "c", "d"}
    assert graph.reached(["c"], upward=True) == {"a", "b"}
    assert graph.descendants("b") == {"c"}
    assert graph.after(["b", "e"]) == {"b", "c", "e"}
    assert graph.reaches("a", "c") and not graph.reaches("c", "a") and not graph.reaches("a", "a")
    cycle = dag("ab", [("a", "b"), ("b", "a")])
    assert cycle.reaches("a", "a") and cycle.descendants("a") == {"b"} and cycle.reached(["a"]) == {"a", "b"}


def test_edges_of_a_dag_file_drop_self_links_repeats_and_unknown_tasks():
    edges = [ir.Edge("a", "b"), ir.Edge("a", "b"), ir.Edge("b", "b"), ir.Edge("a", "gone")]
    graph = Dag.of_edges(["a", "b"], edges)
    assert graph.up == {"a": [], "b": ["a"]} and graph.down == {"a": ["b"], "b": []}
    assert not graph.link("a", "b") and graph.link("b", "a")
