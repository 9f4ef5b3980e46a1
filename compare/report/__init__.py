"""Render compare results: report.md, a self-contained report.html (plots inline as PNG), results.json.

The report is built once as a list of blocks and written twice, as Markdown and as HTML, so both
always say the same. The parts:
  document.py      the blocks (Heading, Para, Table, Image)
  render.py        blocks -> Markdown, blocks -> HTML
  figures.py       reading and formatting figures of results.json (medians, spreads, the sweep's series)
  plots.py         the PNG plots (matplotlib, imported only when drawing)
  sections.py      the report's sections, in order (build_blocks)
  costs.py         the cost sections: per-task overhead, cluster cost model, footprint
  architecture.py  the architecture evaluation
The prose and published figures are data files in compare/: architecture.yaml, cluster_model.yaml,
footprint.yaml.
  write.py         write_report: the files, each written atomically
"""
from kfmigrate.compare.report.document import Heading, Image, Para, Table
from kfmigrate.compare.report.figures import (fitted_slope, is_single, max_concurrency, median_basis, megabytes, ratio,
                                    representative_run, seconds, spread)
from kfmigrate.compare.report.render import to_html, to_markdown
from kfmigrate.compare.report.sections import build_blocks, caching_blocks, summary_lines
from kfmigrate.compare.report.write import write_report

__all__ = ["Heading", "Image", "Para", "Table", "build_blocks", "caching_blocks", "fitted_slope", "is_single",
           "max_concurrency", "median_basis", "megabytes", "ratio", "representative_run", "seconds", "spread",
           "summary_lines", "to_html", "to_markdown", "write_report"]
