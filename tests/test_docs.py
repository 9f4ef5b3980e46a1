"""The docs promise a page per command and list every diagnostic code; keep them honest."""
from pathlib import Path

import click
from click.testing import CliRunner

from kfmigrate.cli import COMMANDS, main
from kfmigrate.migrate.diagnostics import codes_markdown

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


def _leaf_commands(command, path):
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            yield from _leaf_commands(command.get_command(click.Context(command), name), path + [name])
    else:
        yield path, command


def test_every_option_has_help_and_is_on_its_commands_page():
    problems = []
    for name in COMMANDS:
        page = (DOCS / f"{name}.md").read_text()
        for path, command in _leaf_commands(main.get_command(click.Context(main), name), [name]):
            for param in command.params:
                if not isinstance(param, click.Option) or "--help" in param.opts:
                    continue
                if not param.help:
                    problems.append(f"{' '.join(path)} {param.opts[-1]}: no --help text")
                for flag in param.opts + param.secondary_opts:
                    if flag.startswith("--") and flag not in page:
                        problems.append(f"{' '.join(path)} {flag}: not in docs/{name}.md")
    assert not problems, "\n".join(problems)
