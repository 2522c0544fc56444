"""What a pull request changed, for reviewers: the re-rendered images and a summary table.

`shareables build --from --format json > build-report.json` renders only what the PR changed
(everything else comes from the published site). This reads that report and

- copies every image the build rendered into a folder (the CI job uploads it as an artifact);
- writes a Markdown table of them, and of any design errors, for the job summary.

    python -m shareables.build.changes build-report.json --output output \\
        --copy-to changed --summary "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

SHOWN = ("image", "slide", "pdf", "site-og")
MAX_ROWS = 200


def changed(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Artefacts this build rendered (not cached, not downloaded), images only."""
    return [a for a in report.get("artefacts", [])
            if a.get("status") == "rendered" and a.get("role") in SHOWN and a.get("path")]


def copy_changed(report: dict[str, Any], output: Path, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for a in changed(report):
        src = output / a["path"]
        if src.is_file():
            target = dest / a["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            out.append(target)
    return out


def summary_markdown(report: dict[str, Any]) -> str:
    rows = changed(report)
    lines = ["## shareables: what this change renders", "",
             f"{report.get('summary', '')}", ""]
    if rows:
        lines += ["| design | lang | platform | file | why | size |",
                  "| --- | --- | --- | --- | --- | ---: |"]
        for a in rows[:MAX_ROWS]:
            lines.append(f"| {_cell(a.get('design') or 'site')} | {_cell(a.get('lang'))} | "
                         f"{_cell(a.get('platform'))} | `{_cell(a['path'])}` | "
                         f"{_cell(a.get('reason'))} | {_kb(a.get('bytes'))} |")
        if len(rows) > MAX_ROWS:
            lines.append(f"| … {len(rows) - MAX_ROWS} more | | | | | |")
        lines += ["", "The images are attached to this run as the `changed-images` artifact."]
    else:
        lines.append("No image changes: every render is the published one.")
    errors = report.get("errors") or []
    if errors:
        lines += ["", f"### {len(errors)} problem{'s' * (len(errors) != 1)}", "",
                  "| where | problem |", "| --- | --- |"]
        for e in errors[:MAX_ROWS]:
            where = ":".join(str(x) for x in (e.get("file"), e.get("line"), e.get("col")) if x)
            lines.append(f"| `{_cell(where)}` | {_cell(e.get('message'))} |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _kb(n: Any) -> str:
    return f"{n / 1000:.0f} kB" if isinstance(n, int) else ""


@click.command()
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default="output",
              show_default=True, help="The build's output directory.")
@click.option("--copy-to", type=click.Path(file_okay=False, path_type=Path),
              help="Copy the rendered images here (for an artifact upload).")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the Markdown table to this file (e.g. $GITHUB_STEP_SUMMARY).")
def main(report: Path, output: Path, copy_to: Path | None, summary: Path | None) -> None:
    """Copy the images a build rendered and write a Markdown table of them."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except ValueError as e:
        raise click.BadParameter(f"{report} is not a build report ({e})",
                                 param_hint="REPORT") from None
    if copy_to is not None:
        made = copy_changed(data, output, copy_to)
        click.echo(f"copied {len(made)} changed images to {copy_to}/")
    text = summary_markdown(data)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text)


if __name__ == "__main__":
    main()
