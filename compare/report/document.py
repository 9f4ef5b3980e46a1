"""The report as a document: a list of blocks (headings, paragraphs, tables, images), built once by
kfmigrate.compare.report.sections and written twice by kfmigrate.compare.report.render, as Markdown and as HTML, so both
always say the same. Text in blocks may use two bits of Markdown: **bold** and `code`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str


@dataclass
class Table:
    headers: list
    rows: list
    caption: str = ""


@dataclass
class Image:
    name: str  # file name of the PNG beside the report
    title: str
    png: bytes = field(repr=False, default=b"")
