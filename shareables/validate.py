"""`shareables validate`: every check that needs no drawing, reported at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .design import load_designs
from .errors import DesignError, ShareablesError
from .model import Design, Settings


@dataclass
class Report:
    designs: list[Design]
    errors: list[ShareablesError] = field(default_factory=list)

    def summary(self) -> str:
        n_var = sum(len(d.variants) for d in self.designs)
        problems = len(self.errors)
        word = "problem" if problems == 1 else "problems"
        return (f"Checked {len(self.designs) + len({e.file for e in self.errors})} designs "
                f"({n_var} language variants): {problems} {word}")

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "designs": [d.rel for d in self.designs],
            "errors": [
                {"file": e.file, "line": e.line, "col": e.col, "field": e.field,
                 "message": e.message, "hint": e.hint, "text": str(e)}
                for e in self.errors
            ],
        }


def missing_glyph_errors(design: Design) -> list[ShareablesError]:
    """A character no configured font has is an error, never a tofu box."""
    from .fonts import font_stack

    out: list[ShareablesError] = []
    for v in design.variants:
        pieces = {"text": v.text, "title": v.title, "date": v.date}
        if v.attribution:
            pieces["attribution.name"] = v.attribution.name
            pieces["attribution.role"] = v.attribution.role
        for i, s in enumerate(v.slides or ()):
            pieces[f"slides[{i}]"] = s
        for name, text in pieces.items():
            if not text:
                continue
            stack = font_stack(v.theme.fonts.heading if name in ("title",) else v.theme.fonts.body)
            missing = stack.missing(text)
            if missing:
                chars = " ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(set(missing)))
                field_name = name if v.original else f"translations.{v.lang}.{name}"
                out.append(DesignError(
                    f"no font has a glyph for {chars}", file=design.rel, line=design.line,
                    field=field_name,
                    hint="add a font that covers it to brand.fonts in shareables.yaml, "
                         "or replace the character"))
    return out


def validate_project(settings: Settings, paths: Sequence[Path] | None = None) -> Report:
    designs, errors = load_designs(settings.project_dir, settings, paths)
    good: list[Design] = []
    for d in designs:
        glyphs = missing_glyph_errors(d)
        errors.extend(glyphs)
        if not glyphs:
            good.append(d)
    return Report(designs=good, errors=errors)
