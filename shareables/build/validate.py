"""`shareables validate`: schema, then a render of every design on every platform.

The render is what catches text that cannot fit at the legibility floor, contrast below WCAG
AA, glyphs no font has, a carousel over a platform's image limit, and broken photos or logos
— before a build or a publish does. It is the build's own render step (`build_project` with
only these designs, nothing outside them touched or deleted): the images go into output/
through the writer and its cache, so the `shareables build` that follows a validate renders
nothing again, and a design validated before is not rendered again either (render failures
are cached by key like any build's). Where output/ cannot be written (another build holds
it, a folder shareables did not make) it falls back to a dry render that writes nothing.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MissingGlyphError, RenderError, ShareablesError
from ..motion.encode import INSTALL_HINT
from ..platforms import PLATFORMS, clip_platform
from ..project.design import load_designs, locate
from ..project.model import Design, Settings
from ..project.sheets import is_sheet
from .plan import clip_ids


@dataclass
class Report:
    designs: list[Design]
    errors: list[ShareablesError] = field(default_factory=list)
    checked: int = 0  # variant x platform renders tried
    warnings: list[ShareablesError] = field(default_factory=list)

    def summary(self) -> str:
        n_var = sum(len(d.variants) for d in self.designs)
        problems = len(self.errors)
        word = "problem" if problems == 1 else "problems"
        # One design per YAML file, one per spreadsheet row.
        files = len({(d.rel, d.row) for d in self.designs}
                    | {(e.file, e.line if is_sheet(e.file or "") else None) for e in self.errors})
        renders = f", {self.checked} platform renders" if self.checked else ""
        warned = f", {len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}" \
            if self.warnings else ""
        return (f"Checked {files} designs ({n_var} language variants{renders}): {problems} "
                f"{word}{warned}")

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "designs": sorted({d.rel for d in self.designs}),
            "errors": [
                {"file": e.file, "line": e.line, "col": e.col, "field": e.field,
                 "message": e.message, "hint": e.hint, "text": str(e)}
                for e in self.errors
            ],
            "warnings": [
                {"file": e.file, "line": e.line, "col": e.col, "field": e.field,
                 "message": e.message, "hint": e.hint, "text": str(e)}
                for e in self.warnings
            ],
        }


def lint_design(design: Design, res: Any) -> tuple[list[ShareablesError], int]:
    """Dry-render every variant on each of its platforms; one error per failing platform."""
    from ..render.compose import render_slides

    errors: list[ShareablesError] = []
    seen: set[str] = set()
    tried = 0
    for v in design.variants:
        targets = [PLATFORMS[pid] for pid in v.platforms]
        if v.motion is not None:  # clips are laid out at their own sizes (X video: 1280×720)
            clips = clip_ids(v, None)
            targets += [clip_platform(cid) for cid in clips]
            if clips and importlib.util.find_spec("av") is None and "motion" not in seen:
                seen.add("motion")
                line, col = locate(design.source, design.rel, "motion", None, design.row)
                errors.append(RenderError(
                    "clips (`motion:`) need PyAV, which is not installed", file=design.rel,
                    line=line, col=col, field="motion", hint=INSTALL_HINT))
        for platform in targets:
            pid = platform.id
            if platform.document and v.kind != "carousel":
                continue
            tried += 1
            try:
                try:
                    render_slides(v, platform, res)
                except (OSError, ValueError, MemoryError) as exc:  # e.g. a damaged font file
                    raise RenderError(f"cannot draw this design ({type(exc).__name__}: "
                                      f"{str(exc)[:160]})",
                                      hint="a font, logo or photo file may be damaged; "
                                           "replace it") from None
            except RenderError as e:
                lang = None if v.original else v.lang
                line, col = (e.line, e.col) if e.line else locate(design.source, design.rel,
                                                                  e.field, lang, design.row)
                # A glyph no font has fails on every platform alike: say it once, plainly.
                general = isinstance(e, MissingGlyphError) or names(e.message, pid)
                message = e.message if general else f"{pid}: {e.message}"
                fld = e.field if not lang or not e.field else f"translations.{lang}.{e.field}"
                err = RenderError(message, file=design.rel, line=line, col=col, field=fld,
                                  hint=e.hint)
                if str(err) not in seen:
                    seen.add(str(err))
                    errors.append(err)
    return merge_fit_errors(errors, design), tried


_FIT = re.compile(r"^(?P<pid>[\w-]+): the (?P<role>[\w ]+) does not fit at the legibility floor")
_CUT = re.compile(r"cut about (\d+) characters?")
CAROUSEL_ABOVE = 600
"""Texts longer than this that do not fit get "consider kind: carousel"."""


def merge_fit_errors(errors: list[ShareablesError], design: Design) -> list[ShareablesError]:
    """One "does not fit" message per field listing the platforms, instead of one each."""
    groups: dict[tuple[Any, ...], list[tuple[str, ShareablesError]]] = {}
    out: list[ShareablesError] = []
    for e in errors:
        m = _FIT.match(e.message)
        if m is None:
            out.append(e)
            continue
        groups.setdefault((e.file, e.line, e.col, e.field, m["role"]), []).append((m["pid"], e))
    for (file, line, col, fld, role), items in groups.items():
        if len(items) == 1 and design.kind == "carousel":
            out.append(items[0][1])
            continue
        parts = []
        for pid, e in items:
            cut = _CUT.search(e.hint or "")
            parts.append(f"{pid} (cut about {int(cut[1]):,} characters)" if cut else pid)
        lang = fld.split(".")[1] if fld and fld.startswith("translations.") else None
        variant = next((v for v in design.variants if v.lang == lang or (not lang and v.original)),
                       design.variants[0])
        length = len(variant.text or "")
        pids = [pid for pid, _e in items]
        if design.kind != "carousel" and length > CAROUSEL_ABOVE:
            hint = (f"it is {length:,} characters long: consider `kind: carousel` (add a "
                    "`title:`), which splits the text into slides")
        else:
            hint = ("shorten it, or leave those platforms out: "
                    f"`platforms: {{exclude: [{', '.join(pids)}]}}`")
        out.append(RenderError(f"the {role} does not fit at the smallest legible size on "
                               + ", ".join(parts), file=file, line=line, col=col, field=fld,
                               hint=hint))
    return out


def photo_warnings(design: Design) -> list[ShareablesError]:
    """A photo with no hand-written description: its generated alt text can say only the
    words on it, not what the photo shows. One warning per variant that lacks one."""
    out: list[ShareablesError] = []
    for v in design.variants:
        if v.background.image is None or v.alt_custom or v.background.alt:
            continue
        lang = None if v.original else v.lang
        line, col = locate(design.source, design.rel, "background.image", None)
        where = "" if lang is None else f" ({lang})"
        out.append(ShareablesError(
            f"the photo has no description{where}: its alt text says only the words",
            file=design.rel, line=line, col=col, field="background.image",
            hint="add `background.alt:` (what the photo shows; folded into every language's "
                 "alt text) or write `alt:` by hand"))
        if lang is None:
            break  # background.alt covers the translations too: say it once
    return out


def validate_project(settings: Settings, paths: Sequence[Path] | None = None, *,
                     render: bool = True,
                     progress: Callable[[int, int, Design], None] | None = None,
                     output_dir: Path | None = None) -> Report:
    """Load every design, then (unless render=False) render it everywhere it goes.

    `progress(done, total, design)` is called after each design is checked.
    """
    designs, errors = load_designs(settings.project_dir, settings, paths)
    report = Report(designs=[], errors=errors,
                    warnings=[w for d in designs for w in d.warnings])
    if render and designs:
        built = render_through_build(settings, designs, output_dir)
        if built is not None:
            found, report.checked = built
            for done, d in enumerate(designs, start=1):
                if progress:
                    progress(done, len(designs), d)
                report.errors.extend(merge_fit_errors(found.get(id(d), []), d))
                report.warnings.extend(photo_warnings(d))
                report.designs.append(d)
            return report
    res = None
    if render and designs:
        from ..render.resources import Resources

        res = Resources()
    for done, d in enumerate(designs, start=1):
        problems: list[ShareablesError] = []
        if res is not None:
            problems, tried = lint_design(d, res)
            report.checked += tried
        if progress:
            progress(done, len(designs), d)
        report.errors.extend(problems)
        report.warnings.extend(photo_warnings(d))
        report.designs.append(d)
    return report


def render_through_build(settings: Settings, designs: Sequence[Design],
                         output_dir: Path | None = None
                         ) -> tuple[dict[int, list[ShareablesError]], int] | None:
    """Render `designs` with the build (into its output and cache).

    Returns the problems of each design (by `id(design)`; a spreadsheet's rows share one
    file) in variant and platform order, and the number of platform renders checked; None
    when output/ cannot be written (then the caller dry-renders).
    """
    from .pipeline import build
    from .worker import JobFailure
    from .writer import WriterError

    failures: list[tuple[Any, JobFailure]] = []
    try:
        result = build(settings, designs, partial=True, output_dir=output_dir,
                       on_failure=lambda job, f: failures.append((job, f)))
    except WriterError:
        return None
    where: dict[tuple[str, str], tuple[Design, int, int]] = {}  # (dir, platform) -> order
    for d in designs:
        for j, v in enumerate(d.variants):
            for k, pid in enumerate([*v.platforms, *clip_ids(v, None)]):
                where[(f"{v.campaign}/{v.design_id}/{v.lang}", pid)] = (d, j, k)
    failures.sort(key=lambda jf: where.get(jf[0].ident, (None, 0, 0))[1:])
    problems: dict[int, list[ShareablesError]] = {}
    seen: set[str] = set()
    failing: dict[tuple[str, str], set[str]] = {}  # (variant, message) -> its platforms
    for job, f in failures:
        failing.setdefault((job.dir, f.message), set()).add(job.platform)
    for job, f in failures:
        if job.ident not in where:  # the site's own card: not a design problem
            continue
        design = where[job.ident][0]
        err = _problem(design, job.variant, job.platform, f,
                       everywhere=len(failing[(job.dir, f.message)]) > 1)
        if str(err) not in seen:
            seen.add(str(err))
            problems.setdefault(id(design), []).append(err)
    first: dict[str | None, Design] = {}
    for d in designs:
        first.setdefault(d.rel, d)
    for e in result.errors:  # the plan's own (two designs claiming one output folder)
        if not isinstance(e, RenderError) and e.file in first and str(e) not in seen:
            seen.add(str(e))
            problems.setdefault(id(first[e.file]), []).append(e)
    checked = sum(1 for d in designs for v in d.variants for pid in v.platforms
                  if not PLATFORMS[pid].document or v.kind == "carousel")
    checked += sum(len(clip_ids(v, None)) for d in designs for v in d.variants)
    return problems, checked


def _problem(design: Design, variant: Any, pid: str, f: Any, *,
             everywhere: bool = False) -> RenderError:
    """A failed job as validate words it (the same words as the dry render's).

    `everywhere`: other platforms of the variant failed with these very words (a damaged
    font): said once, naming none of them."""
    lang = None if variant.original else variant.lang
    line, col = (f.line, f.col) if f.line else locate(design.source, design.rel, f.field, lang,
                                                      design.row)
    # A glyph no font has fails on every platform alike: say it once, plainly.
    # So does one about the design's `motion:` (PyAV missing, a duration out of range).
    general = (everywhere or f.missing_glyph or f.internal or names(f.message, pid)
               or f.field == "motion")
    message = f.message if general else f"{pid}: {f.message}"
    fld = f.field if not lang or not f.field else f"translations.{lang}.{f.field}"
    return RenderError(message, file=design.rel, line=line, col=col, field=fld, hint=f.hint)


def names(message: str, pid: str) -> bool:
    """Whether a message already names the platform (as a word: "x" is not in "expected")."""
    return re.search(rf"(?<![\w-]){re.escape(pid)}(?![\w-])", message) is not None
