"""Design files: designs/<campaign>/<id>.yaml -> model.Design with one Variant per language.

Everything is checked before anything is drawn, and every problem in every file is reported
in one run (`designs/x.yaml:12:3: field: what is wrong; how to fix it`). A broken design
never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import DesignError, ShareablesError
from ..platforms import PLATFORMS
from .alttext import clamp, default_alt
from .content import content_problems
from .designcache import DesignCache, content_sha
from .model import Attribution, Background, Design, Settings, Variant, direction_of
from .schema import ID_PATTERN, design_schema, did_you_mean, schema_errors
from .settings import background_from, motion_from, resolve_inside
from .sheets import (
    SHEET_SUFFIXES,
    SheetDoc,
    column_for,
    default_id,
    is_sheet,
    kind_from_name,
    read_sheet,
)
from .warnings import design_warnings
from .yamlload import Doc, load_file

DESIGNS_DIR = "designs"
SUFFIXES = (".yaml", ".yml", *SHEET_SUFFIXES)
_ID = re.compile(ID_PATTERN)
_MARKUP = re.compile(r"\*\*(.+?)\*\*", re.S)


def find_design_files(project: Path, paths: Sequence[Path | str] | None = None) -> list[Path]:
    """All design files under designs/ (or under the given files/folders), sorted.

    Files that resolve outside the project (symlinks) are left out; `escaping_links` names
    them so the loader can refuse them.
    """
    return _scan(project, paths)[0]


def escaping_links(project: Path, paths: Sequence[Path | str] | None = None) -> list[Path]:
    """Design-looking paths under designs/ (or `paths`) whose real file is outside `project`."""
    return _scan(project, paths)[1]


def _scan(project: Path, paths: Sequence[Path | str] | None) -> tuple[list[Path], list[Path]]:
    roots = [Path(p) for p in paths] if paths else [project / DESIGNS_DIR]
    root_dir = project.resolve()
    found: set[Path] = set()
    outside: set[Path] = set()

    def take(p: Path) -> None:
        real = p.resolve()
        if real.is_relative_to(root_dir):
            found.add(real)
        else:  # a link out of the project: never read it, never echo what it holds
            outside.add(p.absolute())

    def walk(folder: str, real: str) -> None:
        """What Path(folder).rglob("*") gives, filtered: links are not followed into
        folders; a file that is no link has the real path `real`/name (no link on the way
        from `folder`), so only links are resolved (resolve() costs a stat per part)."""
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            return
        inside = Path(real).is_relative_to(root_dir)
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{real}/{name}")
            elif (os.path.splitext(name)[1].lower() in SUFFIXES
                  and not name.startswith((".", "_", "~"))):  # ~$x.xlsx: Excel's lock file
                if entry.is_symlink():
                    if os.path.isfile(entry.path):
                        take(Path(entry.path))
                elif not entry.is_file(follow_symlinks=False):
                    continue
                elif inside:
                    found.add(Path(f"{real}/{name}"))
                else:
                    outside.add(Path(entry.path).absolute())

    for root in roots:
        root = root if root.is_absolute() else (Path.cwd() / root)
        if root.is_file():
            take(root)
        elif root.is_dir():
            walk(os.fspath(root), os.path.realpath(root))
    return sorted(found), sorted(outside)


def source_hash(data: dict[str, Any]) -> str:
    """Hash of the normalised design data (key order and YAML formatting don't matter)."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class _Checker:
    """Collects errors for one design file with positions from its Doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.errors: list[ShareablesError] = []

    def add(self, path: tuple[Any, ...], message: str, hint: str | None = None,
            key: bool = False) -> None:
        from .schema import field_path

        line, col = self.doc.where(path, key=key)
        self.errors.append(DesignError(message, file=self.doc.file, line=line, col=col,
                                       field=field_path(path) or None, hint=hint))


def _rel(file: Path, project: Path) -> str:
    return file.relative_to(project).as_posix() if file.is_relative_to(project) else str(file)


def _load_one(file: Path, project: Path, settings: Settings, refs: list[str] | None) -> Design:
    rel = _rel(file, project)
    doc = load_file(file, rel)
    if not isinstance(doc.data, dict):
        raise DesignError("a design must be a mapping of keys (kind:, text:, …)", file=rel,
                          line=1, col=1, hint="start with `kind: quote` on the first line")
    return design_from_doc(doc, file, rel, project, settings, default_id=file.stem, refs=refs)


def design_from_doc(doc: Doc, file: Path, rel: str, project: Path, settings: Settings, *,
                    default_id: str, row: int | None = None,
                    refs: list[str] | None = None) -> Design:
    """Check one design's data (from a YAML file or a spreadsheet row) and build it.

    Raises _Many with every problem found; nothing is drawn. `refs` collects the paths of
    the files it resolves (the background photo), as written, for the design cache.
    """
    check = _Checker(doc)
    check.errors.extend(schema_errors(doc, design_schema(), DesignError))
    data: dict[str, Any] = doc.data
    for path, message, hint in content_problems(data):
        check.add(path, message, hint)

    def typed(key: str, kind_: type, default: Any = None) -> Any:
        # Values the schema already rejected are skipped here, so one mistake is not
        # reported twice and the remaining checks still run.
        value = data.get(key, default)
        return value if isinstance(value, kind_) else default

    kind: str = data.get("kind", "")
    design_id = typed("id", str, default_id)
    if "id" not in data and row is None and not _ID.match(design_id):
        check.add((), f"the file name {file.stem!r} is not a valid id",
                  "rename the file using lowercase letters, digits and hyphens, or set `id:`")
    designs_root = project / DESIGNS_DIR
    campaign = typed("campaign", str)
    if campaign is None:
        parent = file.parent
        if parent.resolve() == designs_root.resolve() or not parent.is_relative_to(designs_root):
            check.add((), "no campaign", "put the file in designs/<campaign>/ or set `campaign:`")
            campaign = "general"
        else:
            campaign = parent.relative_to(designs_root).parts[0]
            if not _ID.match(campaign):
                check.add((), f"the folder name {campaign!r} is not a valid campaign id",
                          "rename the folder (lowercase letters, digits, hyphens) or set "
                          "`campaign:`")

    theme_name = typed("theme", str)
    if theme_name is not None and theme_name not in settings.themes:
        check.add(("theme",), f"unknown theme {theme_name!r}",
                  did_you_mean(theme_name, settings.themes)
                  or ("themes in shareables.yaml: " + ", ".join(settings.themes)
                      if settings.themes else "define it under `themes:` in shareables.yaml"))
    if theme_name is None and campaign in settings.themes:
        theme_name = campaign
    theme = settings.theme(theme_name)

    platforms = _platforms(data.get("platforms"), settings, check)

    bg_raw = typed("background", dict, {})
    image = None
    if isinstance(bg_raw.get("image"), str):
        if refs is not None:
            refs.append(os.path.abspath(file.parent / bg_raw["image"]))
        try:
            image = resolve_inside(project, file.parent, bg_raw["image"], doc=doc,
                                   path=("background", "image"), error=DesignError)
        except DesignError as e:
            check.errors.append(e)

    lang = typed("lang", str, "en")
    handle = settings.brand.handle if data.get("handle", True) is not False else None
    translations = {k: v for k, v in typed("translations", dict, {}).items()
                    if isinstance(v, dict)}
    if lang in translations:
        check.add(("translations", lang), f"{lang!r} is the design's own language",
                  "put the original text at the top level, translations under other codes",
                  key=True)
    needs_text = {"quote": "text", "statement": "text"}.get(str(kind))
    for code, tr in translations.items():
        if needs_text and "text" not in tr:
            check.add(("translations", code), f"required for a {kind} translation: text",
                      "add `text:` with the translated words")
        if kind == "carousel" and not ({"text", "slides"} & set(tr)):
            check.add(("translations", code), "a carousel translation needs `text:` or `slides:`",
                      "add the translated text")
    if kind != "carousel":
        for path in [("closing",)] + [("translations", c, "closing") for c, tr in
                                      translations.items() if "closing" in tr]:
            if path == ("closing",) and "closing" not in data:
                continue
            check.add(path, "closing: is only for carousels (the text of the last slide)",
                      "remove it; a tag card's call to share is its `text:`", key=True)
    if check.errors:
        check.errors.sort(key=lambda e: (e.line or 0, e.col if isinstance(e.col, int) else 0))
        raise _Many(check.errors)
    background: Background = background_from(bg_raw, theme.background, image)
    motion = motion_from(data.get("motion"), settings.motion)

    def att_of(raw: dict[str, Any] | None) -> Attribution | None:
        return Attribution(raw["name"], raw.get("role")) if raw else None

    def variant(lang: str, src: dict[str, Any], original: bool) -> Variant:
        base = data if not original else {}
        text = src.get("text", None if "slides" in src else base.get("text"))
        title = src.get("title", base.get("title"))
        att = att_of(src.get("attribution") or base.get("attribution"))
        slides = src.get("slides", None if "text" in src else base.get("slides"))
        return Variant(
            design_id=design_id, campaign=campaign, kind=kind, lang=lang,
            direction=direction_of(lang), text=text, title=title,
            date=src.get("date", base.get("date")),
            slides=tuple(slides) if slides else None, attribution=att,
            highlight=tuple(src.get("highlight", ())),
            alt=clamp(src["alt"]) if src.get("alt") else default_alt(
                kind, text or " ".join(slides or ()), title, att.name if att else None,
                att.role if att else None, handle, settings.brand.name, lang,
                background.alt),
            caption=src.get("caption"), theme=theme, background=background, handle=handle,
            logo=settings.brand.logo, brand_name=settings.brand.name, platforms=platforms,
            source=file, original=original, motion=motion, alt_custom=bool(src.get("alt")),
            # never inherited: a translation without its own takes its language's default
            closing=src.get("closing"),
        )

    variants = [variant(lang, data, True)]
    variants += [variant(code, tr, False) for code, tr in translations.items()]
    normalised = {**data, "id": design_id, "campaign": campaign, "lang": lang}
    return Design(id=design_id, campaign=campaign, kind=kind, source=file, rel=rel,
                  variants=tuple(variants), source_hash=source_hash(normalised),
                  line=row or doc.where(("id",), key=True)[0], row=row,
                  warnings=tuple(design_warnings(doc, data, platforms, _field_path)))


def _platforms(raw: Any, settings: Settings, check: _Checker) -> tuple[str, ...]:
    """`platforms: [x, linkedin]`, `[-x]` (the project's list without X) or
    `{exclude: [x]}`; unknown ids are reported with a "did you mean"."""
    include: list[str] = []
    exclude: list[str] = []
    items: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(raw, list):
        items = [(("platforms", i), p) for i, p in enumerate(raw)]
    elif isinstance(raw, dict) and isinstance(raw.get("exclude"), list):
        items = [(("platforms", "exclude", i), "-" + p if isinstance(p, str) else p)
                 for i, p in enumerate(raw["exclude"])]
    for path, item in items:
        if not isinstance(item, str):
            continue
        pid = item.strip().lstrip("-").strip()
        (exclude if item.strip().startswith("-") else include).append(pid)
        if pid not in PLATFORMS:
            check.add(path, f"unknown platform {pid!r}",
                      did_you_mean(pid, PLATFORMS) or "see `shareables platforms` for the ids")
    chosen = tuple(p for p in (include or settings.platforms) if p not in exclude)
    if items and not chosen:
        check.add(("platforms",), "leaves no platform to build for",
                  "exclude fewer platforms, or list the ones to build: platforms: [x, linkedin]")
    return chosen


def _field_path(path: tuple[Any, ...]) -> str:
    from .schema import field_path

    return field_path(path)


def locate(file: Path, display: str, field: str | None, lang: str | None,
           row: int | None = None) -> tuple[int | None, int | str | None]:
    """Line and column of a field in a design file, for render errors (which lack them).

    `lang` names a translation: its fields live under translations.<lang>. In a spreadsheet
    the place is the design's `row` and the field's column header (`text@ar`).
    """
    if is_sheet(file):
        if row is None:
            return None, None
        names = re.findall(r"[^.\[\]]+", field or "text")
        return row, column_for(("translations", lang, *names) if lang else names)
    if not field:
        return None, None
    try:
        doc = load_file(file, display)
    except (ShareablesError, OSError):
        return None, None
    parts: list[str | int] = [int(p[1:-1]) if p.startswith("[") else p
                              for p in re.findall(r"\[\d+\]|[^.\[\]]+", field)]
    path: tuple[str | int, ...] = tuple(parts)
    if lang is not None:
        path = ("translations", lang, *parts)
    return doc.where(path)


class _Many(Exception):
    def __init__(self, errors: list[ShareablesError]) -> None:
        self.errors = errors


def _link_error(link: Path, project: Path) -> DesignError:
    absolute = link if link.is_absolute() else Path.cwd() / link
    shown = absolute.relative_to(project).as_posix() if absolute.is_relative_to(project) \
        else link.name
    return DesignError("is a symbolic link to a file outside the project; refused",
                       file=shown, hint="copy the design into designs/ instead of linking it")


def load_designs(
    project_dir: Path | str, settings: Settings, paths: Sequence[Path | str] | None = None,
    *, cache: DesignCache | None = None,
) -> tuple[list[Design], list[ShareablesError]]:
    """Load every design; return the good ones and every problem found (nothing raised).

    Ids must be unique across the whole project, so with `paths` the rest of designs/ is
    still read to check for collisions. With a `cache` (designcache.py) a file whose bytes
    and inputs are unchanged since it last loaded cleanly is not parsed again.
    """
    project = Path(project_dir).resolve()
    selected = set(find_design_files(project, paths)) if paths else None
    designs: list[Design] = []
    errors: list[ShareablesError] = []
    everything, outside = _scan(project, None)  # one walk of designs/ for both
    for file in everything + sorted((selected or set()) - set(everything)):
        found, problems = _load_cached(file, project, settings, cache)
        designs.extend(found)
        if selected is None or file in selected:
            errors.extend(problems)
    links = escaping_links(project, paths) if paths else outside
    errors.extend(_link_error(link, project) for link in links)
    errors.extend(_collisions(designs))
    # A bad YAML file drops its design; a bad spreadsheet row drops that row only.
    bad = {(e.file, e.line if e.file and is_sheet(e.file) else None) for e in errors}
    good = [d for d in designs if (d.rel, None) not in bad and (d.rel, d.row) not in bad]
    if selected is not None:
        good = [d for d in good if d.source in selected]
    return good, errors


def _load_cached(file: Path, project: Path, settings: Settings, cache: DesignCache | None
                 ) -> tuple[list[Design], list[ShareablesError]]:
    if cache is None:
        return load_file_designs(file, project, settings)
    sha = content_sha(file)
    found = cache.get(file, sha) if sha is not None else None
    if found is not None:
        return found, []
    refs: list[str] = []
    found, problems = load_file_designs(file, project, settings, refs=refs)
    # Kept only if clean, and only if the file did not change while it was being read.
    if sha is not None and not problems and content_sha(file) == sha:
        cache.put(file, sha, found, refs)
    return found, problems


def load_file_designs(file: Path, project: Path, settings: Settings, *,
                      refs: list[str] | None = None
                      ) -> tuple[list[Design], list[ShareablesError]]:
    """The designs of one file (one for YAML, one a row for a spreadsheet) and its problems."""
    if not is_sheet(file):
        try:
            return [_load_one(file, project, settings, refs)], []
        except _Many as many:
            return [], many.errors
        except ShareablesError as e:
            return [], [e]
    rel = _rel(file, project)
    try:
        sheet = read_sheet(file, rel)
    except ShareablesError as e:
        return [], [e]
    designs: list[Design] = []
    errors: list[ShareablesError] = list(sheet.errors)
    kind = kind_from_name(file.stem)
    taken = {d["id"] for _n, d, _c in sheet.rows if isinstance(d.get("id"), str)}
    for number, data, columns in sheet.rows:
        if kind and "kind" not in data:
            data = {"kind": kind, **data}
        own_id = data.get("id") if isinstance(data.get("id"), str) else None
        design_id = own_id or default_id(data, file.stem, number, taken)
        taken.add(design_id)
        doc = SheetDoc(data=data, file=rel, row=number, columns=columns)
        try:
            designs.append(design_from_doc(doc, file, rel, project, settings,
                                           default_id=design_id, row=number, refs=refs))
        except _Many as many:
            for problem in many.errors:
                if problem.message.startswith("required") and (problem.hint or "").startswith(
                        "add `"):
                    problem.hint = (f"fill in the {problem.col} cell"
                                    if problem.col in columns.values()
                                    else f"add a column {problem.col} and fill it in")
            errors.extend(many.errors)
    return designs, errors


def _collisions(designs: Iterable[Design]) -> list[ShareablesError]:
    first: dict[str, Design] = {}
    out: list[ShareablesError] = []
    for d in designs:
        if d.id in first:
            other = first[d.id]
            out.append(DesignError(
                f"the id {d.id!r} is already used by {other.rel}"
                + (f" (row {other.row})" if other.row else ""), file=d.rel, line=d.line,
                col="id" if d.row else 1, field="id",
                hint="ids must be unique across the project; set another `id:`"))
        else:
            first[d.id] = d
    return out
