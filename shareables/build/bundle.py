"""Per design-and-language download bundles: a deterministic zip with a README.txt.

Carousels also get one zip per canvas shape the page offers (`group_sets`): the slides of
that shape in order (plus the LinkedIn PDF with the wide shape), so a supporter posting to
Instagram downloads seven portrait slides, not every size of every slide.

Rebuilding unchanged inputs gives byte-identical zips (fixed timestamps, sorted entries,
fixed permissions), so the cache and content-addressed publishing see no change. A file
several platforms share (the same bytes for Instagram portrait, Facebook and Threads) is in a
zip once, named by its canvas shape as on the page (`portrait.jpg`); the README says which
apps each file is for. Entry names
are made only from allow-listed parts: the design id and language (checked by plan.py), the
platform ids from the platform table and the extensions from platforms.EXTENSIONS.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..platforms import CLIPS, EXTENSIONS, PLATFORMS
from ..project.model import Variant
from ..site.names import apps_of, file_labels
from ..site.shapes import SHAPES, shape_of
from .plan import SAFE_LANG, SAFE_SEGMENT

BUNDLE_FORMAT = "3"  # 2: carousels add one zip per canvas shape; 3: shared files once
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store; no build time leaks in
_EXTS = set(EXTENSIONS.values())
_LABELS = {s.key for s in SHAPES}


def bundle_name(variant: Variant, group: str | None = None) -> str:
    base = f"{variant.design_id}-{variant.lang}"
    return f"{base}-{group}" if group else base


def group_sets(members: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(shape, members) for each canvas shape a carousel has slides in.

    A shape's zip holds the slides of its first platform in table order (the one the page
    previews and shares; the others are the same slides in another encoding), plus the
    LinkedIn document for the wide shape.
    """
    slides: dict[str, list[dict[str, Any]]] = {}
    pdfs = [m for m in members if m.get("role") == "pdf"]
    for m in members:
        if m.get("role") == "slide":
            slides.setdefault(str(m["platform"]), []).append(m)
    out = []
    for shape in SHAPES:
        pids = [pid for pid, p in PLATFORMS.items() if pid in slides and shape_of(p) == shape.key]
        if pids:
            chosen = sorted(slides[pids[0]], key=lambda m: int(m.get("slide") or 0))
            out.append((shape.key, chosen + (pdfs if shape.key == "wide" else [])))
    return out


def entry_name(variant: Variant, path: str, label: str | None = None) -> str:
    """`<id>-<lang>/<platform>[-NN].<ext>` from an output path, refusing anything else.

    `label` (a canvas shape, site/names.py) replaces the platform of a file several
    platforms share: `<id>-<lang>/portrait.jpg`.
    """
    base = path.rsplit("/", 1)[-1]
    stem, _, ext = base.rpartition(".")
    platform, _, slide = stem.rpartition("-") if stem[-3:-2] == "-" else (stem, "", "")
    known = platform in PLATFORMS or platform in CLIPS
    if (not known or ext not in _EXTS or (slide and not slide.isdigit())
            or (label is not None and label not in _LABELS and label not in PLATFORMS
                and label not in CLIPS)
            or not SAFE_SEGMENT.match(variant.design_id) or not SAFE_LANG.match(variant.lang)):
        raise ValueError(f"not a bundle member name: {path!r}")
    if label is not None:
        base = f"{label}-{slide}.{ext}" if slide else f"{label}.{ext}"
    return f"{bundle_name(variant)}/{base}"


@dataclass(frozen=True)
class BundleFile:
    """One entry of a zip: a file, and every member (platform) whose bytes it is."""

    name: str
    sha256: str
    members: tuple[dict[str, Any], ...]

    @property
    def path(self) -> str:
        return str(self.members[0]["path"])

    @property
    def apps(self) -> list[str]:
        return apps_of(self.members)


def bundle_files(variant: Variant, members: Sequence[dict[str, Any]],
                 among: Sequence[dict[str, Any]] | None = None) -> list[BundleFile]:
    """`members` as zip entries, each distinct file once (named as the page names it).

    `among`: all of the variant's members, when `members` is a per-shape subset (a shared
    file is named, and its apps listed, from all of them).
    """
    labels = file_labels(among if among is not None else members)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for m in (among if among is not None else members):
        by_name.setdefault(entry_name(variant, m["path"], labels.get(m["path"])), []).append(m)
    wanted = {entry_name(variant, m["path"], labels.get(m["path"])) for m in members}
    out = []
    for name in sorted(wanted):
        group = by_name[name]
        if len({m["sha256"] for m in group}) > 1:  # names.py: one name, one file
            raise ValueError(f"two different files named {name!r} in one bundle")
        out.append(BundleFile(name, group[0]["sha256"], tuple(group)))
    return out


def readme(variant: Variant, brand: str, files: Sequence[BundleFile]) -> str:
    """README.txt: what is in the bundle, and the alt text, caption and credit to post with."""
    lines = [f"{brand} — {variant.title or variant.design_id} ({variant.lang})", ""]
    lines += ["Alt text (paste into the image description when you post):", variant.alt, ""]
    if variant.caption:
        lines += ["Caption:", variant.caption, ""]
    if variant.background.credit:
        lines += ["Credit:", variant.background.credit, ""]
    lines.append("Files (one copy of each; the apps in brackets take it as it is):")
    for f in files:
        lines.append(f"  {f.name.split('/', 1)[1]}  ({', '.join(f.apps)})")
    lines.append("")
    return "\n".join(lines)


def bundle_key(readme_text: str, members: Sequence[tuple[str, str]]) -> str:
    """Cache key of a bundle: its README and the content hashes of its members."""
    h = hashlib.sha256(f"bundle:{BUNDLE_FORMAT}\n{readme_text}".encode())
    for name, sha in sorted(members):
        h.update(f"\n{name}={sha}".encode())
    return h.hexdigest()


def make_zip(readme_text: str, files: Sequence[tuple[str, bytes]]) -> bytes:
    """Deterministic zip: images stored (already compressed), README deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        entries = sorted(files) + [(files[0][0].split("/")[0] + "/README.txt",
                                    readme_text.encode())] if files else []
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above are honoured everywhere
            info.compress_type = (zipfile.ZIP_DEFLATED if name.endswith(".txt")
                                  else zipfile.ZIP_STORED)
            zf.writestr(info, data)
    return buf.getvalue()
