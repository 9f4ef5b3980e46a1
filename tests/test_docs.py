"""The docs promise a page per command and list every diagnostic code; keep them honest."""
from pathlib import Path

from click.testing import CliRunner

from kfmigrate.cli import COMMANDS, main
from migrate.diagnostics import codes_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_diagnostics_page_matches_the_code_table():
    assert (DOCS / "diagnostics.md").read_text() == codes_markdown()


def test_every_command_has_help_and_a_docs_page():
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output
        assert (DOCS / f"{name}.md").is_file(), f"docs/{name}.md missing"
