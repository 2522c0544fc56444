"""The `shareables` command: thin click layer over the library.

Each command parses options, loads settings, calls one library function and turns the
library's exceptions into messages and exit codes (0 ok, 1 some designs failed, 2 usage or
settings). Heavy imports (PIL, cairosvg, boto3) happen inside commands so `--help` is instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from .errors import ErrorList, ShareablesError

if TYPE_CHECKING:
    from .model import Settings

project_option = click.option(
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project directory (holds shareables.yaml, designs/, fonts/).",
)


def fail(exc: ShareablesError | ErrorList) -> NoReturn:
    """Print an expected failure once, without a traceback, and exit with its code."""
    errors = exc.errors if isinstance(exc, ErrorList) else [exc]
    for e in errors:
        click.secho(str(e), fg="red", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shareables")
def main() -> None:
    """Turn YAML designs into platform-sized images, carousels and a download page.

    \b
    A project holds shareables.yaml (brand, themes, platforms, publish target),
    designs/<campaign>/<id>.yaml (one quote, statement, tag or carousel each) and fonts/.

    \b
    Typical session:
      shareables init my-project      scaffold a working project
      shareables validate             check every design, report every problem at once
      shareables build                render what changed into output/
      shareables serve                preview output/ and rebuild on save
      shareables publish              upload to S3-compatible storage, index last
    """


@main.command()
def platforms() -> None:
    """Print the platform table: canvas sizes, formats, byte limits and safe areas."""
    from .platforms import DEFAULT_PLATFORMS, PLATFORMS

    rows = [("id", "canvas", "formats", "limit", "carousel", "safe area (l,t,r,b)")]
    for p in PLATFORMS.values():
        limit = f"{p.max_bytes / 1_000_000:g} MB" if p.max_bytes else "-"
        if p.id == "bluesky":
            limit = "< 1 MB"
        carousel = str(p.carousel_limit) if p.carousel_limit else "-"
        fmt = "/".join(f.upper() for f in p.formats)
        mark = "*" if p.id in DEFAULT_PLATFORMS else " "
        rows.append((f"{p.id}{mark}", f"{p.width}×{p.height}", fmt, limit, carousel,
                     ",".join(str(v) for v in p.safe_box())))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo("\n* built by default when shareables.yaml has no `platforms:` list")


@main.command()
@click.option("--settings", "which", flag_value="settings",
              help="Schema of shareables.yaml instead.")
@click.option("--design", "which", flag_value="design", default=True, hidden=True)
def schema(which: str) -> None:
    """Print the JSON Schema of design files (or of shareables.yaml with --settings).

    \b
    Editors with a YAML language server validate and complete designs with it:
      shareables schema > .shareables.schema.json
    and put this first line in a design file:
      # yaml-language-server: $schema=../../.shareables.schema.json
    """
    from .schema import design_schema, settings_schema

    data = settings_schema() if which == "settings" else design_schema()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _load_project(project: Path) -> Settings:
    """Settings or exit 2 with every settings problem listed."""
    from .settings import load_settings

    try:
        return load_settings(project)
    except (ShareablesError, ErrorList) as e:
        fail(e)


@main.command()
@project_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: machine-readable report for CI.")
def validate(project: Path, paths: tuple[Path, ...], fmt: str) -> None:
    """Check settings and designs; report every problem in every file at once.

    \b
    Checks the schema (unknown keys, types, required fields per kind), ids, themes,
    platforms, fonts and files, and that every character has a glyph in some font.
    Each problem prints as  designs/x.yaml:LINE:COL: field: what is wrong; how to fix it
    Exit code 0: all good; 1: some designs have problems; 2: shareables.yaml is wrong.
    """
    from .validate import validate_project

    settings = _load_project(project)
    report = validate_project(settings, list(paths) or None)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for e in report.errors:
            click.secho(str(e), fg="red", err=True)
        click.echo(report.summary())
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a working project in DIRECTORY (default: here).

    \b
    Makes shareables.yaml, brand/logo.svg, fonts/ (open-licensed, with licences) and one
    design of each kind in designs/example/. Existing files are never overwritten.
    Then:  cd DIRECTORY && shareables validate && shareables build
    """
    from .scaffold import init_project

    try:
        made = init_project(directory)
    except ShareablesError as e:
        fail(e)
    click.echo(f"Created {len(made)} files in {directory}/")
    click.echo(f"Next: cd {directory} && shareables validate && shareables build")
