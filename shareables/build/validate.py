"""`shareables validate`: schema, then a dry render of every design on every platform.

The dry render (no encoding, nothing written) is what catches text that cannot fit at the
legibility floor, contrast below WCAG AA, glyphs no font has, a carousel over a platform's
image limit, and broken photos or logos — before a build or a publish does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MissingGlyphError, RenderError, ShareablesError
from ..platforms import PLATFORMS
from ..project.design import load_designs, locate
from ..project.model import Design, Settings


@dataclass
class Report:
    designs: list[Design]
    errors: list[ShareablesError] = field(default_factory=list)
    checked: int = 0  # variant x platform renders tried

    def summary(self) -> str:
        n_var = sum(len(d.variants) for d in self.designs)
        problems = len(self.errors)
        word = "problem" if problems == 1 else "problems"
        files = len({d.rel for d in self.designs} | {e.file for e in self.errors})
        renders = f", {self.checked} platform renders" if self.checked else ""
        return f"Checked {files} designs ({n_var} language variants{renders}): {problems} {word}"

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "designs": sorted({d.rel for d in self.designs}),
            "errors": [
                {"file": e.file, "line": e.line, "col": e.col, "field": e.field,
                 "message": e.message, "hint": e.hint, "text": str(e)}
                for e in self.errors
            ],
        }


def lint_design(design: Design, res: Any) -> tuple[list[ShareablesError], int]:
    """Dry-render every variant on each of its platforms; one error per failing platform."""
    from ..render.compose import render_slides

    errors: list[ShareablesError] = []
    seen: set[str] = set()
    tried = 0
    for v in design.variants:
        for pid in v.platforms:
            platform = PLATFORMS[pid]
            if platform.document and v.kind != "carousel":
                continue
            tried += 1
            try:
                render_slides(v, platform, res)
            except RenderError as e:
                lang = None if v.original else v.lang
                line, col = (e.line, e.col) if e.line else locate(design.source, design.rel,
                                                                  e.field, lang)
                # A glyph no font has fails on every platform alike: say it once, plainly.
                general = isinstance(e, MissingGlyphError) or pid in e.message
                message = e.message if general else f"{pid}: {e.message}"
                fld = e.field if not lang or not e.field else f"translations.{lang}.{e.field}"
                err = RenderError(message, file=design.rel, line=line, col=col, field=fld,
                                  hint=e.hint)
                if str(err) not in seen:
                    seen.add(str(err))
                    errors.append(err)
    return errors, tried


def validate_project(settings: Settings, paths: Sequence[Path] | None = None, *,
                     render: bool = True,
                     progress: Callable[[Design], None] | None = None) -> Report:
    """Load every design, then (unless render=False) dry-render it everywhere it goes."""
    designs, errors = load_designs(settings.project_dir, settings, paths)
    report = Report(designs=[], errors=errors)
    res = None
    if render and designs:
        from ..render.resources import Resources

        res = Resources()
    for d in designs:
        problems: list[ShareablesError] = []
        if res is not None:
            problems, tried = lint_design(d, res)
            report.checked += tried
        if progress:
            progress(d)
        report.errors.extend(problems)
        report.designs.append(d)
    return report
