"""Import bookkeeping: which local name stands for which fully qualified Airflow name.

Airflow 2 and 3 spell the same things from different modules (airflow.operators.bash,
airflow.providers.standard.operators.bash, airflow.sdk ...). The parser cares about *what* a name is,
so every known spelling is folded into one canonical kind here.
"""
from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

# canonical kinds of the names the parser treats specially, keyed by their last dotted segment
DAG_CLASSES = {"DAG"}
DAG_DECORATORS = {"dag"}
TASK_DECORATORS = {"task"}
GROUP_CLASSES = {"TaskGroup"}
GROUP_DECORATORS = {"task_group"}
CHAIN_FUNCS = {"chain", "chain_linear"}
CROSS_FUNCS = {"cross_downstream"}
PARAM_CLASSES = {"Param"}
LABEL_CLASSES = {"Label"}
XCOMARG_CLASSES = {"XComArg"}
CONTEXT_FUNCS = {"get_current_context"}
SETUP_TEARDOWN = {"setup", "teardown"}


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """`a.b.c` -> "a.b.c"; anything else -> None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


class ImportTable:
    """Maps local names to fully qualified names, as `import` statements bind them."""

    def __init__(self) -> None:
        self.names: Dict[str, str] = {}

    def add(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name)
                if not full:
                    continue
                if alias.asname:
                    self.names[alias.asname.name.value] = full
                else:
                    top = full.split(".")[0]
                    self.names[top] = top
        elif isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None:
                module = "." * len(node.relative) + (dotted_name(node.module) or "" if node.module else "")
            else:
                module = dotted_name(node.module) or ""
            if isinstance(node.names, cst.ImportStar):
                return
            for alias in node.names:
                name = dotted_name(alias.name)
                local = alias.asname.name.value if alias.asname else name
                self.names[local] = f"{module}.{name}"

    def qualify(self, dotted: str) -> Optional[str]:
        """"bash.BashOperator" with `from airflow.operators import bash` -> the full name."""
        head, _, rest = dotted.partition(".")
        if head not in self.names:
            return None
        full = self.names[head]
        return f"{full}.{rest}" if rest else full


def is_airflow(qualname: Optional[str]) -> bool:
    return bool(qualname) and qualname.split(".")[0] == "airflow"


def last(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]
