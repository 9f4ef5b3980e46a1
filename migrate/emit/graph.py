"""The one graph utility of the emitter: a small directed graph over task ids (or any names).

Nodes keep the order they were added in (the DAG file's task order); that order breaks ties in the
topological order, so the generated code follows the file wherever the graph leaves a choice.
"""
from __future__ import annotations

import heapq
from typing import Dict, Iterable, List, Set


class Dag:
    """Links between names: `up[n]` and `down[n]` in the order they were added, without repeats."""

    def __init__(self, names: Iterable[str] = ()):
        self.up: Dict[str, List[str]] = {}
        self.down: Dict[str, List[str]] = {}
        for name in names:
            self.add_node(name)

    @classmethod
    def of_edges(cls, names: Iterable[str], edges: Iterable) -> "Dag":
        """The graph of ir.Edge-like links (upstream, downstream) between `names`; links to other
        names and self links are left out."""
        dag = cls(names)
        for edge in edges:
            if edge.upstream != edge.downstream:
                dag.link(edge.upstream, edge.downstream)
        return dag

    def add_node(self, name: str) -> None:
        if name not in self.up:
            self.up[name], self.down[name] = [], []

    def link(self, upstream: str, downstream: str) -> bool:
        """Add upstream -> downstream when both are nodes and the link is new; returns whether it was added."""
        if upstream not in self.up or downstream not in self.up or upstream in self.up[downstream]:
            return False
        self.up[downstream].append(upstream)
        self.down[upstream].append(downstream)
        return True

    def __contains__(self, name: str) -> bool:
        return name in self.up

    def __iter__(self):
        return iter(self.up)

    def order(self) -> List[str]:
        """Kahn's topological order, ties broken by the order nodes were added; the nodes of a cycle
        (bad input) and those after it follow in that order rather than fail here."""
        names = list(self.up)
        position = {name: index for index, name in enumerate(names)}
        waiting = {name: len(ups) for name, ups in self.up.items()}
        ready = [position[name] for name, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: List[str] = []
        while ready:
            name = names[heapq.heappop(ready)]
            order.append(name)
            for down in self.down[name]:
                waiting[down] -= 1
                if waiting[down] == 0:
                    heapq.heappush(ready, position[down])
        if len(order) < len(names):
            done = set(order)
            order += [name for name in names if name not in done]
        return order

    def reached(self, starts: Iterable[str], upward: bool = False) -> Set[str]:
        """Every node one or more links downstream (upstream) of `starts`; a start only when a cycle leads back to it."""
        links = self.up if upward else self.down
        found: Set[str] = set()
        stack = [n for start in starts for n in links[start]]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(links[current])
        return found

    def descendants(self, start: str) -> Set[str]:
        """The nodes downstream of `start`, never itself."""
        return self.reached([start]) - {start}

    def after(self, starts: Iterable[str]) -> Set[str]:
        """`starts` and every node downstream of them."""
        starts = set(starts)
        return starts | self.reached(starts)

    def reaches(self, start: str, target: str) -> bool:
        """Is `target` downstream of `start`?"""
        return target in self.reached([start])
