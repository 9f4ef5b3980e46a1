"""`kfmigrate image`: build the project image whose context `kfmigrate convert --image` wrote."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from kfmigrate.console import err_console, out_console


@click.group("image", short_help="Build the project image that `convert --image` describes.")
def command():
    """The project image the converted components run in (see `kfmigrate convert --image`)."""


@command.command("build", short_help="Build the image from OUTDIR/image with docker, podman or buildah.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tag", metavar="REF", help="Image reference to tag the build with (default: the --image REF the "
                                            "context was written for, from its image.json).")
@click.option("--builder", type=click.Choice(["docker", "podman", "buildah"]),
              help="Container tool to build with (default: the first of docker, podman, buildah that works here).")
def build(folder, tag, builder):
    """Build the image from FOLDER (OUTDIR/image written by `kfmigrate convert --image`).

    Uses docker, podman or buildah, the first that answers (`docker info`, `podman info`, `buildah
    version`). Push the result with your registry's usual command (docker push REF) before deploying.

    \b
    Exit codes:
      0  the image was built
      2  FOLDER is no build context, no container builder works here, or the build failed
    """
    from kfmigrate.migrate.image import build_command, find_builder, read_manifest

    if not (folder / "Dockerfile").is_file():
        err_console.print(f"{folder}: no Dockerfile here: write the context with kfmigrate convert ... --image REF", markup=False)
        sys.exit(2)
    manifest = read_manifest(folder) or {}
    tag = tag or manifest.get("image")
    if not tag:
        err_console.print(f"{folder}: no image reference: pass --tag REF", markup=False)
        sys.exit(2)
    tool, problems = find_builder((builder,)) if builder else find_builder()  # kfmigrate.migrate.image.BUILDERS, in order
    if tool is None:
        err_console.print("error: no container builder works here, so the image was not built:", markup=False)
        for problem in problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        err_console.print(f"Build the context on a machine with one (docker build -t {tag} {folder}) or in CI.", markup=False)
        sys.exit(2)
    command_line = build_command(tool, folder, tag)
    out_console.print(f"building {tag} with {tool}: {' '.join(command_line)}", markup=False, highlight=False)
    if subprocess.run(command_line).returncode != 0:
        err_console.print(f"error: {tool} could not build {tag}", markup=False)
        sys.exit(2)
    out_console.print(f"built {tag}; push it (e.g. {tool} push {tag}) before deploying pipelines that use it", markup=False, highlight=False)
