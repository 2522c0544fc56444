"""Project settings: shareables.yaml -> model.Settings.

Any problem here stops everything (exit 2): without brand, fonts and platforms no design can
be drawn. All problems are reported together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import fingerprint
from ..errors import ErrorList, SettingsError, ShareablesError
from ..platforms import DEFAULT_PLATFORMS, PLATFORMS
from .content import content_problems
from .model import Background, Brand, Colors, Fonts, Motion, PublishTarget, Settings, Theme
from .schema import did_you_mean, field_path, schema_errors, settings_schema
from .usercache import known_valid, remember_valid
from .yamlload import Doc, load_bytes, read_capped

SETTINGS_FILE = "shareables.yaml"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

DEFAULT_FONTS = {
    "heading": ["NotoSerif-Bold.ttf", "NotoNaskhArabic-Bold.ttf", "NotoSerifHebrew-Bold.ttf",
                "NotoColorEmoji.ttf"],
    "body": ["NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
             "NotoColorEmoji.ttf"],
}
# Stacks for one language, tried first (Urdu readers expect Nastaliq, not Naskh).
DEFAULT_FONTS_BY_LANGUAGE = {
    "ur": {"heading": ["NotoNastaliqUrdu-Bold.ttf"], "body": ["NotoNastaliqUrdu-Regular.ttf"]},
}


def resolve_inside(
    project: Path, base: Path, rel: str, *, doc: Doc, path: tuple[Any, ...],
    error: type[ShareablesError], must_exist: bool = True,
) -> Path:
    """Resolve a file reference relative to `base`; it must stay inside the project.

    `../` escapes and absolute paths outside the project are refused (also via symlinks),
    so a design can never make the build read arbitrary files.
    """
    line, col = doc.where(path)
    candidate = Path(rel)
    target = (candidate if candidate.is_absolute() else base / candidate).resolve()
    root = project.resolve()
    problem = hint = None
    unresolved = Path(os.path.abspath(candidate if candidate.is_absolute() else base / candidate))
    if not target.is_relative_to(root) and unresolved.is_relative_to(root):
        problem = f"{rel!r} is a symbolic link to a file outside the project; refused"
        hint = "copy the file into the project instead of linking it"
    elif not target.is_relative_to(root):
        problem = f"{rel!r} is outside the project"
        hint = "keep images, logos and fonts inside the project folder"
    elif must_exist and not target.is_file():
        problem = f"file not found: {rel!r}"
        hint = f"the path is relative to {base.relative_to(root).as_posix() or '.'}/"
    if problem:
        raise error(problem, file=doc.file, line=line, col=col, field=field_path(path), hint=hint)
    return target


def _resolve_fonts(project: Path, doc: Doc, raw: dict[str, Any] | None, path: tuple[Any, ...],
                   errors: list[ShareablesError], fallback: Fonts | None) -> Fonts:
    base = _resolve_roles(project, doc, raw, path, errors, fallback)
    by_raw = (raw or {}).get("by_language")
    if by_raw is None and fallback is not None:
        return Fonts(base.heading, base.body, fallback.by_language)
    by: list[tuple[str, tuple[Path, ...], tuple[Path, ...]]] = []
    if by_raw is None:
        # the defaults use what the project has: a project scaffolded before a default font
        # was added keeps working without it
        for code, roles in sorted(DEFAULT_FONTS_BY_LANGUAGE.items()):
            found = [tuple((project / "fonts" / n).resolve() for n in roles.get(r, [])
                           if (project / "fonts" / n).is_file()) for r in ("heading", "body")]
            if any(found):
                by.append((code, found[0], found[1]))
        return Fonts(base.heading, base.body, tuple(by))
    for code, roles in sorted(by_raw.items()):
        lang_fonts = _resolve_roles(project, doc, roles, path + ("by_language", code), errors,
                                    Fonts((), ()))
        by.append((code, lang_fonts.heading, lang_fonts.body))
    return Fonts(base.heading, base.body, tuple(by))


def _font_error(doc: Doc, path: tuple[Any, ...], message: str, hint: str) -> SettingsError:
    line, col = doc.where(path)
    return SettingsError(message, file=doc.file, line=line, col=col, field=field_path(path),
                         hint=hint)


def _font_file(project: Path, doc: Doc, path: tuple[Any, ...], name: str) -> Path | None:
    """The intact font file `name` means (a path inside the project, else a file in fonts/),
    or None when there is no such file; a link out of the project or a damaged file raises."""
    if "/" in name:
        shown, real = name, resolve_inside(project, project, name, doc=doc, path=path,
                                           error=SettingsError)
    else:
        in_fonts = project / "fonts" / name
        if not in_fonts.is_file():
            return None
        shown, real = f"fonts/{name}", in_fonts.resolve()
        if not real.is_relative_to(project.resolve()):
            raise _font_error(doc, path, f"{shown} is a symbolic link to a file outside the "
                              "project; refused",
                              "copy the font file into fonts/ instead of linking it")
    problem = check_font_file(real)
    if problem:
        raise _font_error(doc, path, f"{shown} {problem}", "replace it with an intact .ttf/.otf")
    return real


def _resolve_roles(project: Path, doc: Doc, raw: dict[str, Any] | None, path: tuple[Any, ...],
                   errors: list[ShareablesError], fallback: Fonts | None) -> Fonts:
    fonts_dir = project / "fonts"
    available = sorted(p.name for p in fonts_dir.glob("*") if p.suffix.lower() in FONT_SUFFIXES) \
        if fonts_dir.is_dir() else []
    out: dict[str, tuple[Path, ...]] = {}
    for role in ("heading", "body"):
        names = (raw or {}).get(role)
        if names is None:
            if fallback is not None:
                out[role] = getattr(fallback, role)
                continue
            names = DEFAULT_FONTS[role]
            listed_path: tuple[Any, ...] | None = None
        else:
            listed_path = path + (role,)
        resolved: list[Path] = []
        for i, name in enumerate(names):
            p = listed_path + (i,) if listed_path else path
            try:
                real = _font_file(project, doc, p, name)
            except SettingsError as e:
                errors.append(e)
                continue
            if real is not None:
                resolved.append(real)
                continue
            hint = did_you_mean(name, available) or (
                f"fonts in fonts/: {', '.join(available)}" if available
                else "put the font file in fonts/")
            errors.append(_font_error(doc, p, f"unknown font {name!r}", hint))
        out[role] = tuple(resolved)
    return Fonts(heading=out["heading"], body=out["body"])


FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"typ1")


def check_font_file(path: Path) -> str | None:
    """Why a font file is unusable (None when it looks like one): its first bytes must be a
    TrueType/OpenType/collection signature. Deeper damage (a bad outline) is reported per
    design by the renderer."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if head not in FONT_MAGIC:
        return "is not a TrueType or OpenType font"
    return None


def _colors(raw: dict[str, Any] | None, base: Colors) -> Colors:
    raw = raw or {}
    return Colors(
        background=raw.get("background", base.background),
        text=raw.get("text", base.text),
        accent=raw.get("accent", base.accent),
    )


def background_from(raw: dict[str, Any] | None, base: Background, image: Path | None) -> Background:
    """A design's (or theme's) background over a base; `image` is the resolved photo path.

    Naming any fill (colour, gradient or photo) replaces the base fill entirely; focus,
    overlay and credit can be tuned on their own. No fill anywhere means the theme colour.
    """
    raw = raw or {}
    if any(k in raw for k in ("color", "gradient", "image")):
        grad = raw.get("gradient")
        color, gradient, photo = raw.get("color"), tuple(grad) if grad else None, image
        credit, alt = raw.get("credit"), raw.get("alt")
    else:
        color, gradient, photo = base.color, base.gradient, base.image
        credit, alt = raw.get("credit", base.credit), raw.get("alt", base.alt)
    return Background(
        color=color,
        gradient=gradient,
        image=photo,
        focus=tuple(raw.get("focus", base.focus)),
        overlay=float(raw.get("overlay", base.overlay)),
        credit=credit,
        alt=alt,
    )


def motion_from(raw: Any, default: Motion | None) -> Motion | None:
    """`motion:` of a design or shareables.yaml (already schema-checked) -> Motion or None.

    true takes the project default (or the built-in one), a mapping overrides it key by key,
    false or absent means no clip (absent in a design: the project's choice).
    """
    if raw is None:
        return default
    if raw is False:
        return None
    base = default or Motion()
    if raw is True:
        return base
    if not isinstance(raw, dict):
        return default
    fields = {k: v for k, v in raw.items() if k in Motion.__dataclass_fields__}
    if "platforms" in fields:
        fields["platforms"] = tuple(fields["platforms"])
    for k in ("duration", "hold"):
        if k in fields:
            fields[k] = float(fields[k])
    return dataclasses.replace(base, **fields)


def _checked_digest(data: bytes, schema: dict[str, Any]) -> str:
    """What a settings file's schema check depends on: the bytes parsed, the schema itself
    (it names platforms from platforms.py), the project stage's code (the checker, the YAML
    loader) and the checking libraries' versions."""
    h = hashlib.sha256(b"settings-schema\n" + data)
    h.update(json.dumps(schema, sort_keys=True).encode())
    return str(fingerprint.add_code(h, fingerprint.modules("project"),
                                    ("jsonschema", "pyyaml")).hexdigest())


def load_settings(project_dir: Path | str) -> Settings:
    """Load and check shareables.yaml; raise SettingsError/ErrorList (exit 2) on problems."""
    project = Path(project_dir).resolve()
    file = project / SETTINGS_FILE
    if not file.is_file():
        raise SettingsError(
            f"no {SETTINGS_FILE} in {project}",
            hint="run `shareables init` to create a project, or pass --project DIR",
        )
    raw = read_capped(file, SETTINGS_FILE, error=SettingsError)
    doc = load_bytes(raw, SETTINGS_FILE, error=SettingsError)
    if not isinstance(doc.data, dict):
        raise SettingsError("must be a mapping of keys (brand:, themes:, platforms:, publish:)",
                            file=SETTINGS_FILE, line=1, col=1)
    # The schema check imports jsonschema (~40 ms of every command): skipped for bytes that
    # passed it before under the same code and libraries.
    # The bytes parsed, never the file read again: it may have been saved since.
    schema = settings_schema()
    digest = _checked_digest(raw, schema)
    known = known_valid(digest)
    errors: list[ShareablesError] = [] if known else schema_errors(doc, schema, SettingsError)
    for path, message, hint in content_problems(doc.data.get("brand"), ("brand",)):
        line, col = doc.where(path)
        errors.append(SettingsError(message, file=SETTINGS_FILE, line=line, col=col,
                                    field=field_path(path), hint=hint))
    if errors:
        raise ErrorList(errors)
    if not known:
        remember_valid(digest)
    data = doc.data
    b = data["brand"]
    logo = None
    if b.get("logo"):
        try:
            logo = resolve_inside(project, project, b["logo"], doc=doc, path=("brand", "logo"),
                                  error=SettingsError)
            if logo.suffix.lower() != ".svg":
                line, col = doc.where(("brand", "logo"))
                errors.append(SettingsError("the logo must be an SVG file", file=SETTINGS_FILE,
                                            line=line, col=col, field="brand.logo",
                                            hint="export the logo as .svg"))
        except SettingsError as e:
            errors.append(e)
    fonts = _resolve_fonts(project, doc, b.get("fonts"), ("brand", "fonts"), errors, None)
    handle = b.get("handle")
    if handle and not handle.startswith("@"):
        handle = "@" + handle
    brand = Brand(name=b["name"], handle=handle, logo=logo,
                  colors=_colors(b.get("colors"), Colors()), fonts=fonts)
    themes: dict[str, Theme] = {}
    for name, t in (data.get("themes") or {}).items():
        tfonts = _resolve_fonts(project, doc, t.get("fonts"), ("themes", name, "fonts"), errors,
                                brand.fonts)
        bg_raw = t.get("background") or {}
        image = None
        if bg_raw.get("image"):
            try:
                image = resolve_inside(project, project, bg_raw["image"], doc=doc,
                                       path=("themes", name, "background", "image"),
                                       error=SettingsError)
            except SettingsError as e:
                errors.append(e)
        themes[name] = Theme(name=name, colors=_colors(t.get("colors"), brand.colors),
                             fonts=tfonts, background=background_from(bg_raw, Background(), image))
    platforms = tuple(data.get("platforms") or DEFAULT_PLATFORMS)
    for i, pid in enumerate(platforms):
        if pid not in PLATFORMS:
            line, col = doc.where(("platforms", i))
            errors.append(SettingsError(
                f"unknown platform {pid!r}", file=SETTINGS_FILE, line=line, col=col,
                field=f"platforms[{i}]",
                hint=did_you_mean(pid, PLATFORMS) or "see `shareables platforms`"))
    p = data.get("publish") or {}
    publish = PublishTarget(bucket=p.get("bucket"), prefix=p.get("prefix", ""),
                            endpoint_url=p.get("endpoint_url"), public_url=p.get("public_url"),
                            region=p.get("region"))
    if errors:
        raise ErrorList(errors)
    return Settings(project_dir=project, file=file, brand=brand, themes=themes,
                    platforms=platforms, publish=publish,
                    motion=motion_from(data.get("motion"), None))
