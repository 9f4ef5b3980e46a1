"""docs/architecture.md's layout lists exactly the Python modules and packages the code has."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kfmigrate", "migrate", "compare", "kubeflow_ops")


def documented() -> set:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```")[1]
    found, stack = set(), []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match:
            continue
        depth, name = len(match.group(1)) // 2, match.group(2)
        stack[depth:] = [name.rstrip("/")]
        if depth == 0 and name.rstrip("/") not in PACKAGES:
            continue
        found.add("/".join(stack) + ("/" if name.endswith("/") else ""))
    return found


def in_the_code() -> set:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT)
            found.add(relative.parent.as_posix() + "/" if path.name == "__init__.py" else relative.as_posix())
    return found


def test_the_layout_lists_every_module_and_nothing_else():
    listed, actual = documented(), in_the_code()
    assert not actual - listed, f"missing from docs/architecture.md: {sorted(actual - listed)}"
    assert not listed - actual, f"listed in docs/architecture.md but not in the code: {sorted(listed - actual)}"


def test_every_listed_module_says_what_it_is_for():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```")[1]
    bare = [line.strip() for line in block.splitlines() if re.fullmatch(r" *\S+\.py", line)]
    assert not bare, f"modules without a line of description: {bare}"
