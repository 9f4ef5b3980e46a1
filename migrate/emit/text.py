"""Small helpers for generated Python text: indenting, comments, embedded module files."""
from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Sequence, Set

from kfmigrate.migrate.local_modules import ModuleFile


def indent_code(code: str, prefix: str) -> str:
    """Indent Python code, but not the lines inside multi-line strings (that would change them)."""
    indented = indented_if_tokenized(code, prefix)
    if indented is None:  # not tokenizable: indent everything, compiling will tell
        return "\n".join(prefix + line if line.strip() else line for line in code.split("\n"))
    return indented


def indented_if_tokenized(code: str, prefix: str) -> Optional[str]:
    """indent_code(code, prefix), or None when the code cannot be tokenized (indent_code then indents
    every line): a caller indenting parts of a text one by one needs to know."""
    import io
    import tokenize

    inside_strings: Set[int] = set()
    lines = code.split("\n")
    # Tokenizing is the slow part. A string spans lines only after a backslash at a line end or from
    # a triple quote; a line that is one whole triple-quoted string (a docstring) ends none open.
    one_line_string = re.compile(r'\s*("""[^"\\]*"""' r"|'''[^'\\]*''')\s*")
    if "\\\n" not in code and all(
            ('"""' not in line and "'''" not in line) or one_line_string.fullmatch(line) for line in lines):
        return "\n".join(prefix + line if line.strip() else line for line in lines)
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside_strings.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return "\n".join(
        line if (number in inside_strings or not line.strip()) else prefix + line
        for number, line in enumerate(lines, start=1)
    )


# The indented statements after a component's docstring, by their text: sharing.share writes every
# component a second time with a stand-in docstring, and only the docstring differs. Per process, bounded.
_INDENTED_AFTER_DOCSTRING: Dict[str, Optional[str]] = {}


def indent_function_body(body: List[str]) -> str:
    """indent_code of a function body's lines (under a `def`, its docstring first). A docstring (a whole
    string statement) leaves no token open, so it and the statements after it are indented one by one
    as they would be together, unless one of them cannot be tokenized (then indent_code indents every
    line of the whole)."""
    doc = body[0] if body else ""
    if len(body) < 2 or len(doc) < 6 or not (doc.startswith('"""') and doc.endswith('"""')):
        return indent_code("\n".join(body), "    ")
    rest = "\n".join(body[1:])
    if rest not in _INDENTED_AFTER_DOCSTRING:
        if len(_INDENTED_AFTER_DOCSTRING) >= 1024:
            _INDENTED_AFTER_DOCSTRING.clear()
        _INDENTED_AFTER_DOCSTRING[rest] = indented_if_tokenized(rest, "    ")
    after, head = _INDENTED_AFTER_DOCSTRING[rest], indented_if_tokenized(doc, "    ")
    if after is None or head is None:
        return indent_code("\n".join(body), "    ")
    return head + "\n" + after


def one_line(text: str) -> str:
    """Text for a `#` comment: line breaks in ids would end the comment and break the module."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


# ---------------------------------------------------------------- embedded local modules (migrate/local_modules.py)
def text_literal(text: str) -> str:
    """A readable Python literal for a file's text: a raw triple-quoted string when it round-trips."""
    if not text:
        return "''"
    for quote in ("'''", '"""'):
        candidate = f"r{quote}{text}{quote}"
        if quote not in text and not text.endswith("\\") and "\r" not in text:
            try:
                if ast.literal_eval(candidate) == text:
                    return candidate
            except (SyntaxError, ValueError):
                pass
    return repr(text)


def function_source(module_file: ModuleFile) -> str:
    """The module-level function returning one embedded file's text (listed in additional_funcs)."""
    doc = module_file.shown.replace("\\", "/").replace('"', "'")
    return f'def {module_file.function}():\n    """{doc}"""\n    return {text_literal(module_file.text)}\n'


def call_line(files: Sequence[ModuleFile]) -> str:
    """The statement a component body starts with: write the embedded files into a folder on sys.path."""
    items = "".join(f"    {f.relative!r}: {f.function}(),\n" for f in files)
    return "_kfp_local_modules({\n" + items + "})"
