"""Hypothesis strategies for random DAG files: the generator of benchmarks/gen_dags.py, drawn by hypothesis."""
from __future__ import annotations

from hypothesis import strategies as st

from conversion_checks import gen_dags


@st.composite
def dag_files(draw, max_dags: int = 2, max_tasks: int = 10, max_depth: int = 2) -> "gen_dags.FileSpec":
    """A FileSpec: one or more DAGs with hostile ids and strings, groups, mapping, TaskFlow."""
    return gen_dags.build_file(gen_dags.HypothesisChooser(draw), max_dags, max_tasks, max_depth)
