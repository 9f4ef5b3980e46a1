"""Small helpers for generated Python text."""
from __future__ import annotations

import re
from typing import Set


def indent_code(code: str, prefix: str) -> str:
    """Indent Python code, but not the lines inside multi-line strings (that would change them)."""
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
        inside_strings = set()  # not tokenizable: indent everything, ast.parse will tell
    return "\n".join(
        line if (number in inside_strings or not line.strip()) else prefix + line
        for number, line in enumerate(lines, start=1)
    )


def one_line(text: str) -> str:
    """Text for a `#` comment: line breaks in ids would end the comment and break the module."""
    return text.replace("\r", "\\r").replace("\n", "\\n")
