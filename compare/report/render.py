"""The two renderings of a report's blocks: Markdown (report.md, PNGs referred to beside it) and one
self-contained HTML page (report.html, PNGs inline as base64 data URIs)."""
from __future__ import annotations

import base64
import html
import re

from kfmigrate.compare.report.document import Heading, Image, Para, Table


def to_markdown(blocks: list) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Para):
            lines += [block.text, ""]
        elif isinstance(block, Table):
            if block.caption:
                lines += [f"*{block.caption}*", ""]
            lines.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            lines.append("|" + "|".join("---" for _ in block.headers) + "|")
            for row in block.rows:
                lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
            lines.append("")
        elif isinstance(block, Image):
            lines += [f"![{block.title}]({block.name})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


CSS = """
body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#202124;line-height:1.45}
h1{border-bottom:3px solid #017cee;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #dadce0}
table{border-collapse:collapse;margin:1em 0;font-size:.9em;width:100%}
th,td{border:1px solid #dadce0;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f1f3f4}tr:nth-child(even) td{background:#fafafa}
caption{caption-side:top;text-align:left;font-style:italic;padding:.3em 0}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #dadce0}figcaption{color:#5f6368;font-size:.9em}
code{background:#f1f3f4;padding:0 .25em;border-radius:3px}
.ok{color:#188038;font-weight:600}.bad{color:#d93025;font-weight:600}
"""


def to_html(blocks: list, title: str) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style></head><body>"]
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            parts.append("<table>")
            if block.caption:
                parts.append(f"<caption>{_inline(block.caption)}</caption>")
            parts.append("<tr>" + "".join(f"<th>{_inline(h)}</th>" for h in block.headers) + "</tr>")
            for row in block.rows:
                parts.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
        elif isinstance(block, Image):
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(block.title)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{html.escape(block.title)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _inline(value) -> str:
    """Escape, then honour the two bits of Markdown the blocks use: **bold** and `code`."""
    text = html.escape(str(value)).replace("\n", "<br>")
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    text = text.replace("✔", '<span class="ok">✔</span>').replace("✘", '<span class="bad">✘</span>')
    return text
