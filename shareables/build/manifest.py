"""manifest.json: entries for artefacts and variants, identities across builds, build id.

Format (docs/architecture.md): {"format", "build_id", "renderer", "brand", "site",
"variants": [...], "artefacts": [...]}. Entries are plain dicts so the publisher and the
page can read them without this package's classes.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..project.model import Settings, Variant

FORMAT = 1
IMAGE_ROLES = ("image", "slide", "pdf", "site-og", "clip")
"""Roles counted as rendered images in reports (thumbnails and bundles are by-products)."""


def output_path(dir_: str, platform: str, role: str, slide: int | None, ext: str,
                width: int | None = None) -> str:
    """The spec's output layout for one rendered file (thumbnails: one per `width`)."""
    if role == "site-og":
        return f"site/og.{ext}"
    name = platform if slide is None else f"{platform}-{slide:02d}"
    if role == "thumbnail" and width:
        return f"{dir_}/thumbs/{name}.{width}w.{ext}"
    if role in ("thumbnail", "poster"):
        return f"{dir_}/thumbs/{name}.{ext}"
    return f"{dir_}/{name}.{ext}"


def ident(entry: dict[str, Any]) -> tuple[str, str]:
    """(output dir, platform or 'bundle'): which build job an entry belongs to."""
    if entry.get("role") == "site-og":
        return ("site", "og")
    d = f"{entry.get('campaign')}/{entry.get('design')}/{entry.get('lang')}"
    if entry.get("role") == "bundle":
        return (d, "bundle")
    return (d, str(entry.get("platform")))


def by_ident(manifest: dict[str, Any] | None) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The manifest's entries by ident(), in order."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    group = out.setdefault
    for a in (manifest or {}).get("artefacts", []):
        if not isinstance(a, dict) or a.get("path").__class__ is not str:
            continue
        role = a.get("role")  # ident(a), inlined: this runs for every entry of a rebuild
        if role == "view":  # the publisher's inline copies of images (no file of their own)
            continue
        if role == "site-og":
            key = ("site", "og")
        else:
            d = f"{a.get('campaign')}/{a.get('design')}/{a.get('lang')}"
            key = (d, "bundle" if role == "bundle" else str(a.get("platform")))
        group(key, []).append(a)
    return out


def artefact_entry(variant: Variant, *, platform: str | None, role: str, slide: int | None,
                   of: str | None, path: str, width: int | None, height: int | None,
                   size: int, sha256: str, content_type: str, source_hash: str,
                   cache_key: str, alt: str | None = None) -> dict[str, Any]:
    site = role == "site-og"
    return {
        "design": None if site else variant.design_id,
        "campaign": None if site else variant.campaign,
        "kind": None if site else variant.kind,
        "lang": None if site else variant.lang,
        "platform": platform, "slide": slide, "role": role, "of": of, "path": path,
        "width": width, "height": height, "bytes": size, "sha256": sha256,
        "content_type": content_type, "alt": alt or variant.alt,
        "caption": None if site else variant.caption,
        "source_hash": source_hash, "cache_key": cache_key,
    }


def link_clip(entries: list[dict[str, Any]], duration: float | None) -> None:
    """A clip's entry names its length, poster frame and caption track (page and publish)."""
    clip = next((e for e in entries if e["role"] == "clip"), None)
    if clip is None:
        return
    clip["duration"] = duration
    for e in entries:
        if e["role"] in ("poster", "captions"):
            clip[e["role"]] = e["path"]


def refreshed(entry: dict[str, Any], variant: Variant, source_hash: str) -> dict[str, Any]:
    """A cached entry with the metadata that does not affect its bytes brought up to date.

    The entry itself when nothing changes (most of a rebuild): the new manifest then shares
    the previous one's dicts instead of holding a copy of each.
    """
    role = entry.get("role")
    if role == "site-og":
        update: dict[str, Any] = {}
    elif role == "slide":  # a slide's own alt follows its bytes (its text)
        update = {"caption": variant.caption, "source_hash": source_hash}
    else:
        update = {"caption": variant.caption, "source_hash": source_hash, "alt": variant.alt}
    get = entry.get  # (tens of thousands of calls a rebuild: no generator, no loop)
    if "status" not in entry and (role == "site-og" or (
            get("source_hash", _ABSENT) == source_hash
            and get("caption", _ABSENT) == update["caption"]
            and (role == "slide" or get("alt", _ABSENT) == update["alt"]))):
        return entry
    out = {**entry, **update}
    out.pop("status", None)
    return out


_ABSENT = object()


def variant_entry(variant: Variant, *, source: str, source_hash: str, platforms: list[str],
                  bundle: str | None, errors: list[str]) -> dict[str, Any]:
    att = variant.attribution
    return {
        "design": variant.design_id, "campaign": variant.campaign, "kind": variant.kind,
        "lang": variant.lang, "dir": variant.direction, "original": variant.original,
        "title": variant.title, "date": variant.date, "text": variant.text,
        "slides": list(variant.slides) if variant.slides else None,
        "attribution": {"name": att.name, "role": att.role} if att else None,
        "alt": variant.alt, "caption": variant.caption, "credit": variant.background.credit,
        "source": source, "source_hash": source_hash, "platforms": platforms,
        "bundle": bundle, "errors": errors,
    }


def build_id(artefacts: Iterable[dict[str, Any]]) -> str:
    """Deterministic id of a build: the hash of what it contains."""
    return _build_id(sorted(artefacts, key=_PATH))


def _build_id(in_order: list[dict[str, Any]]) -> str:
    """build_id() of artefacts sorted by path (one update: the same digest as one a line)."""
    text = "".join([f"{a['path']}={a['sha256']}\n" for a in in_order])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_PATH = operator.itemgetter("path")


def assemble(settings: Settings, *, fingerprint: str, variants: list[dict[str, Any]],
             artefacts: list[dict[str, Any]]) -> dict[str, Any]:
    brand = settings.brand
    og = next((a for a in artefacts if a.get("role") == "site-og"), None)
    in_order = sorted(artefacts, key=_PATH)
    return {
        "format": FORMAT,
        "build_id": _build_id(in_order),
        "renderer": fingerprint,
        "brand": {"name": brand.name, "handle": brand.handle},
        "site": {
            "title": f"{brand.name} shareables",
            "og_image": og["path"] if og else None,
            "og_alt": og["alt"] if og else None,
        },
        "variants": sorted(variants, key=lambda v: (v["campaign"], v["design"], v["lang"])),
        "artefacts": in_order,
    }


# --------------------------------------------------------------------------- encoding

MANIFEST = "manifest.json"

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""One encoder for all entries: json.dumps() with options builds a new one per call."""


def manifest_bytes(manifest: dict[str, Any],
                   known: Mapping[str, tuple[dict[str, Any], str | bytes]] | None = None
                   ) -> bytes:
    """Canonical manifest encoding: stable key order, one artefact/variant per line.

    Identical builds give identical bytes, diffs stay readable, and every entry is encoded by
    json's C encoder (`indent=` would switch to the pure-Python one: 10x slower at 10k entries).
    `known` maps artefact paths to (entry, encoded line) from the previous manifest: an
    unchanged entry reuses its line instead of being encoded again. Assembled as bytes: a
    30 MB manifest with one Arabic caption would be a 60 MB str.
    """
    def artefact(a: dict[str, Any]) -> bytes:
        old = known.get(a.get("path", "")) if known else None
        if old is not None and old[0] == a:
            line = old[1] if isinstance(old[1], bytes) else old[1].encode()
        else:
            line = _ENCODER.encode(a).encode()
        return b"  " + line + b","

    artefacts = manifest.get("artefacts")
    body = [artefact(a) for a in artefacts] if isinstance(artefacts, list) else None
    return _assemble(manifest, body)


def _assemble(manifest: dict[str, Any],
              artefact_lines: Sequence[bytes | memoryview] | None) -> bytes:
    """The manifest's bytes, its artefacts given as their lines ("  {…}," each)."""
    dump = _ENCODER.encode
    parts: list[bytes | memoryview] = [b"{"]
    for key in sorted(manifest):
        value = manifest[key]
        head = b" " + dump(key).encode() + b": "
        lines = artefact_lines if key == "artefacts" else None
        if lines is None and isinstance(value, list) and value:
            lines = [b"  " + dump(v).encode() + b"," for v in value]
        if lines:
            parts += [head + b"[", *lines[:-1], lines[-1][:-1], b" ],"]
        else:
            parts.append(head + dump(value).encode() + b",")
    parts[-1] = parts[-1][:-1]
    return b"\n".join([*parts, b"}", b""])


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest on disk, or None when missing or unreadable (then everything is rebuilt)."""
    try:
        return parse_manifest((out_dir / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None


def parse_manifest(data: bytes) -> dict[str, Any] | None:
    """A manifest's bytes as data (None: JSON but not a manifest; ValueError: not JSON),
    equal strings shared.

    Every file of a variant repeats its caption, alt text, hashes and names: sharing them
    makes a 40,000-entry manifest 35 MB of objects instead of 80, at the same speed.
    """
    memo: dict[str, str] = {}
    share = memo.setdefault

    def shared(obj: dict[str, Any]) -> dict[str, Any]:
        for k, v in obj.items():
            if v.__class__ is str:
                obj[k] = share(v, v)
        return obj

    return _checked(_in_pieces(data, shared) or json.loads(data, object_hook=shared))


_HEAD = b'{\n "artefacts": [\n'
PIECE = 1 << 20
"""Bytes of artefact lines parsed at a time (see _in_pieces)."""


def _in_pieces(data: bytes, hook: Any) -> dict[str, Any] | None:
    """A manifest as manifest_bytes lays it out, its artefact lines parsed a piece at a time;
    None for any other layout (then it is parsed whole).

    json.loads first decodes all of its input to one string: 30 MB of UTF-8 with a single
    emoji in it is a 120 MB string (four bytes a character), on top of the bytes and the
    objects, for the build's peak memory. A piece's string is a few MB.
    """
    if not data.startswith(_HEAD):
        return None
    end = data.find(b"\n ]", len(_HEAD))  # lines inside start "  {"; a string has no "\n"
    if end < 0:
        return None
    outside = data[:len(_HEAD) - 1] + data[end + 1:]
    if outside.count(b'"artefacts":') != 1:  # a second such key: read as json.loads reads it
        return None  # (inside a string the quotes would be escaped: this counts keys only)
    try:
        rest = json.loads(outside, object_hook=hook)
        if not isinstance(rest, dict) or rest.get("artefacts") != []:
            return None
        artefacts: list[Any] = []
        view, start = memoryview(data), len(_HEAD)
        while start < end:
            stop = data.find(b"\n", min(start + PIECE, end), end)
            stop = end if stop < 0 else stop
            last = stop - 1 if data[stop - 1] == 0x2C else stop  # 0x2C: the line's ","
            artefacts += json.loads(b"".join((b"[", view[start:last], b"]")), object_hook=hook)
            start = stop + 1
    except ValueError:
        return None
    rest["artefacts"] = artefacts
    return rest


def _checked(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict) or not isinstance(data.get("artefacts"), list):
        return None
    return data

