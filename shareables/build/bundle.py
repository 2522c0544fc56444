"""Per design-and-language download bundles: a deterministic zip with a README.txt.

Carousels also get one zip per canvas shape the page offers (`group_sets`): the slides of
that shape in order (plus the LinkedIn PDF with the wide shape), so a supporter posting to
Instagram downloads seven portrait slides, not every size of every slide.

Rebuilding unchanged inputs gives byte-identical zips (fixed timestamps, sorted entries,
fixed permissions), so the cache and content-addressed publishing see no change. Entry names
are made only from allow-listed parts: the design id and language (checked by plan.py), the
platform ids from the platform table and the extensions from platforms.EXTENSIONS.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from ..platforms import CLIPS, EXTENSIONS, PLATFORMS
from ..project.model import Variant
from ..site.shapes import SHAPES, shape_of
from .plan import SAFE_LANG, SAFE_SEGMENT

BUNDLE_FORMAT = "2"  # 2: carousels add one zip per canvas shape
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store; no build time leaks in
_EXTS = set(EXTENSIONS.values())


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


def entry_name(variant: Variant, path: str) -> str:
    """`<id>-<lang>/<platform>[-NN].<ext>` from an output path, refusing anything else."""
    base = path.rsplit("/", 1)[-1]
    stem, _, ext = base.rpartition(".")
    platform, _, slide = stem.rpartition("-") if stem[-3:-2] == "-" else (stem, "", "")
    known = platform in PLATFORMS or platform in CLIPS
    if (not known or ext not in _EXTS or (slide and not slide.isdigit())
            or not SAFE_SEGMENT.match(variant.design_id) or not SAFE_LANG.match(variant.lang)):
        raise ValueError(f"not a bundle member name: {path!r}")
    return f"{bundle_name(variant)}/{base}"


def readme(variant: Variant, brand: str, members: Sequence[tuple[str, str]]) -> str:
    """README.txt: what is in the bundle, and the alt text, caption and credit to post with."""
    lines = [f"{brand} — {variant.title or variant.design_id} ({variant.lang})", ""]
    lines += ["Alt text (paste into the image description when you post):", variant.alt, ""]
    if variant.caption:
        lines += ["Caption:", variant.caption, ""]
    if variant.background.credit:
        lines += ["Credit:", variant.background.credit, ""]
    lines.append("Files:")
    for name, _ in members:
        base = name.split("/", 1)[1]
        stem = base.rsplit(".", 1)[0]
        pid = stem.rsplit("-", 1)[0] if stem[-3:-2] == "-" else stem
        label = (PLATFORMS[pid].label if pid in PLATFORMS
                 else CLIPS[pid].label if pid in CLIPS else pid)
        lines.append(f"  {base}  ({label})")
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
