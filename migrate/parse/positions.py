"""Source positions of libcst nodes, computed about twice as fast as libcst's PositionProvider.

PositionProvider re-generates the code and tracks (line, column) on every token with a regular
expression. Here the same code generation only adds up character offsets; offsets become
(line, column) with a bisect over line starts, and only for the nodes we are asked about.
The positions are the same as PositionProvider's (syntactic, whitespace excluded where libcst
excludes it); tests/parse checks that on the Airflow example corpus.
"""
from __future__ import annotations

import bisect
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState


_NEWLINE = re.compile(r"\r\n?|\n")  # as libcst counts lines


class _OffsetState(CodegenState):
    """A CodegenState that records each node's character offsets instead of text.

    Keyed by id(node): libcst nodes hash in Python, ids in C, and the module keeps every node alive."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        # the node's whole generated text, and how many indentation levels enclose it
        self.full_spans: Dict[int, Tuple[int, int, int]] = {}
        self.syntactic: Dict[int, Tuple[int, int]] = {}  # where libcst's position is narrower than the text
        self.nodes: List[cst.CSTNode] = []  # in the order libcst's PositionProvider lists them
        # where indentation was written: (offset, length of each level's token)
        self.indent_offsets: List[int] = []
        self.indent_lengths: List[Tuple[int, ...]] = []
        self._starts: List[Tuple[int, int]] = []
        self._last_length = 0
        self.text = ""  # the module's source, set once generated
        self.line_starts: List[int] = []

    def add_indent_tokens(self) -> None:
        if self.indent_tokens:
            self.indent_offsets.append(self.offset)
            self.indent_lengths.append(tuple(map(len, self.indent_tokens)))
            for token in self.indent_tokens:
                self.add_token(token)

    def add_token(self, value: str) -> None:
        self._last_length = len(value)
        self.offset += self._last_length

    def pop_trailing_newline(self) -> None:  # the only token ever taken back is the last one
        self.offset -= self._last_length
        self._last_length = 0

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append((self.offset, len(self.indent_tokens)))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start, depth = self._starts.pop()
        self.full_spans[id(node)] = (start, self.offset, depth)
        self.nodes.append(node)

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        key = id(node)
        found = self.syntactic.get(key)
        return found if found is not None else self.full_spans[key][:2]

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _OffsetState, node, start_node, end_node) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc) -> None:
        state = self.state
        start = state.span(self.start_node)[0] if self.start_node is not None else self.start
        end = state.span(self.end_node)[1] if self.end_node is not None else state.offset
        state.syntactic[id(self.node)] = (start, end)


class Positions:
    """node -> (line, col, end_line, end_col), 1-based lines, 0-based columns as libcst gives them.

    Computed on first use: many modules a project reads (helpers, files without a DAG) never need one.
    """

    def __init__(self, module: cst.Module, source: Optional[str] = None) -> None:
        self._module = module
        self._source = source
        self._state: Optional[_OffsetState] = None

    def _computed(self) -> _OffsetState:
        if self._state is None:
            state = _OffsetState(self._module)
            self._module._codegen(state)
            text = self._source if self._source is not None else self._module.code
            state.text = text
            state.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
            self._state = state
        return self._state

    def __contains__(self, node: cst.CSTNode) -> bool:
        return id(node) in self._computed().full_spans

    def nodes(self):
        """Every node with a position, in libcst's PositionProvider order."""
        return iter(self._computed().nodes)

    def full_text(self, node: cst.CSTNode) -> Optional[str]:
        """The node's whole generated text (leading lines and indentation included), sliced from the source."""
        state = self._computed()
        span = state.full_spans.get(id(node))
        return None if span is None else state.text[span[0]:span[1]]

    def code(self, node: cst.CSTNode) -> Optional[str]:
        """`module.code_for_node(node)`, sliced from the source instead of generated again: code_for_node
        writes the node as if it stood at the top level, so the indentation of the blocks around it is
        cut from every line where the module wrote it. None for a node of another module."""
        state = self._computed()
        span = state.full_spans.get(id(node))
        if span is None:
            return None
        start, end, depth = span
        text = state.text
        if end > len(text):  # the last statement of a file without a final newline: libcst dropped it
            return None
        if depth == 0:
            return text[start:end]
        pieces, at = [], start
        offsets = state.indent_offsets
        index = bisect.bisect_left(offsets, start)
        while index < len(offsets) and offsets[index] < end:
            offset = offsets[index]
            pieces.append(text[at:offset])
            at = offset + sum(state.indent_lengths[index][:depth])
            index += 1
        pieces.append(text[at:end])
        return "".join(pieces)

    def source_of(self, node: cst.CSTNode) -> str:
        """code(node), generated by libcst where it cannot be sliced."""
        text = self.code(node)
        return text if text is not None else self._module.code_for_node(node)

    def _line_col(self, offset: int) -> Tuple[int, int]:
        line_starts = self._computed().line_starts
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1]

    def __getitem__(self, node: cst.CSTNode) -> Tuple[int, int, int, int]:
        start, end = self._computed().span(node)
        return (*self._line_col(start), *self._line_col(end))
