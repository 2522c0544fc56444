"""The SVG logo: checked (no external references, bounded size, element count and <use>
expansion) before CairoSVG sees it, then rasterised with every fetch refused but data: images
that are photos by content.

A rasterised logo is kept in the user's cache directory (`raster_cache_dir`), named by a hash
of everything its pixels depend on: the SVG bytes as drawn, the height, this module's source and
the versions of CairoSVG, cairocffi and the cairo library. A build whose logo is cached reads a
small PNG instead of importing CairoSVG (whose bindings parse cairo's C headers on every import:
about 0.1 s of each build's CPU). The checks run on every call, cached or not.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from ..errors import RenderError
from .paint import sniff_raster

SVG_MAX_BYTES = 2_000_000
"""A logo's SVG text after gzip decompression; real logos are a few kilobytes."""
SVG_MAX_ELEMENTS = 20_000
SVG_MAX_EXPANDED = 50_000
"""Elements drawn once every <use> (and url(#id) reference) is expanded: a few nested uses of
uses make a tiny file draw billions of shapes."""


# ----------------------------------------------------------------------------------


_EXTERNAL_REF = re.compile(
    r"""(?:\b(?:xlink:)?href\s*=\s*["']\s*(?!#|data:)([^"']*)["'])"""
    r"""|(?:url\(\s*["']?\s*(?!#|data:)([^)"']*))"""
    r"""|(?:@import)|(?:<!ENTITY)|(?:\bSYSTEM\s+["'])""",
    re.IGNORECASE,
)


def check_svg(data: bytes, path: Path) -> None:
    """Refuse SVGs that reference anything outside themselves (files, URLs, entities).

    A logo that pulls in other files renders differently on each machine and can read files
    it should not; only in-document references (``#id``) and ``data:`` URIs are allowed.
    """
    text = data.decode("utf-8", errors="replace")
    m = _EXTERNAL_REF.search(text)
    if m:
        what = next((g for g in m.groups() if g), m.group(0)).strip()
        raise RenderError(
            f"the SVG {path.name} references something outside itself ({what!r})",
            file=path, field="logo",
            hint="embed images as data: URIs or convert text to paths; external files and "
            "URLs are refused",
        )


def svg_text(data: bytes, name: str, path: Path | None = None) -> bytes:
    """The SVG bytes, gunzipped (an .svgz) with the size capped *while* decompressing."""
    import zlib

    def too_big() -> RenderError:
        return RenderError(f"the SVG {name} is too large (over {SVG_MAX_BYTES:,} bytes of SVG "
                           f"text)", file=path, field="logo",
                           hint="simplify the logo or export it again as plain SVG")

    if data[:2] == b"\x1f\x8b":
        z = zlib.decompressobj(wbits=31)
        try:
            data = z.decompress(data, SVG_MAX_BYTES + 1)
        except zlib.error as exc:
            raise RenderError(f"the SVG {name} is a broken gzip file ({exc})", file=path,
                              field="logo", hint="export it again as plain SVG") from None
        if z.unconsumed_tail or len(data) > SVG_MAX_BYTES:
            raise too_big()
    if len(data) > SVG_MAX_BYTES:
        raise too_big()
    return data


def check_svg_size(data: bytes, name: str, path: Path | None = None) -> None:
    """Refuse an SVG with too many elements, or whose <use> references expand too far."""
    from defusedxml import ElementTree as DET

    def refuse(what: str) -> RenderError:
        return RenderError(f"the SVG {name} {what}", file=path, field="logo",
                           hint="simplify the logo (flatten repeated shapes) and export it again")

    try:
        root = DET.fromstring(data, forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    except Exception as exc:  # noqa: BLE001 - ParseError, entities refused, …
        raise RenderError(f"the SVG {name} is not valid XML ({type(exc).__name__})", file=path,
                          field="logo", hint="export it again as plain SVG") from None
    elements = list(root.iter())
    if len(elements) > SVG_MAX_ELEMENTS:
        raise refuse(f"has {len(elements):,} elements (the limit is {SVG_MAX_ELEMENTS:,})")
    by_id = {el.get("id"): el for el in elements if el.get("id")}
    cost: dict[int, int] = {}
    active: set[int] = set()

    def refs(el: Any) -> list[Any]:
        out: list[Any] = []
        for name, value in el.attrib.items():
            ids = [m.group(1) for m in _URL_REF.finditer(value)]
            if name.endswith("href") and value.strip().startswith("#"):
                ids.append(value.strip()[1:])
            out.extend(by_id[i] for i in ids if i in by_id)
        return out

    def expanded(el: Any) -> int:
        key = id(el)
        if key in cost:
            return cost[key]
        if key in active:
            raise refuse("references itself (a <use> loop)")
        active.add(key)
        total = 1 + sum(expanded(c) for c in el) + sum(expanded(t) for t in refs(el))
        active.discard(key)
        if total > SVG_MAX_EXPANDED:
            raise refuse(f"expands to over {SVG_MAX_EXPANDED:,} drawn elements through "
                         f"<use> references")
        cost[key] = total
        return total

    try:
        expanded(root)
    except RecursionError:
        raise refuse("nests too deeply") from None


_URL_REF = re.compile(r"url\(\s*['\"]?#([^\s)'\"]+)")


def _refuse_fetch(url: str, resource_type: str) -> bytes:
    """CairoSVG url_fetcher: only data: URIs (check_svg already refused the rest), and only
    JPEG/PNG/WebP/GIF pixels or a nested SVG that passes the same checks as the logo."""
    if not url.startswith("data:"):
        raise RenderError(f"the SVG tried to load {url!r}", field="logo")
    from cairosvg.url import fetch

    try:
        data: bytes = fetch(url, resource_type)
    except Exception as exc:  # noqa: BLE001 - a malformed data: URI
        raise RenderError(f"the SVG has a broken data: URI ({type(exc).__name__})",
                          field="logo", hint="embed the image again") from None
    head = data.lstrip()[:256]
    if data[:2] == b"\x1f\x8b" or head.startswith((b"<svg", b"<?xml", b"<!DOC")) \
            or b"<svg" in head:
        data = svg_text(data, "embedded in the logo")
        check_svg(data, Path("embedded.svg"))
        check_svg_size(data, "embedded in the logo")
        return data
    if resource_type == "text/css":
        return data
    if sniff_raster(data) is None:
        raise RenderError("the SVG embeds an image that is not a JPEG, PNG, WebP or GIF "
                          "(or is too large)", field="logo",
                          hint="embed photos in the logo as PNG or JPEG only")
    return data


def raster_cache_dir() -> Path | None:
    """Where rasterised logos are kept: ``$SHAREABLES_CACHE_DIR``, else the XDG cache
    (``~/.cache/shareables``). An empty ``SHAREABLES_CACHE_DIR`` turns the cache off."""
    own = os.environ.get("SHAREABLES_CACHE_DIR")
    if own is not None:
        return Path(own) / "logos" if own else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shareables" / "logos"


@lru_cache(maxsize=1)
def _raster_versions() -> bytes | None:
    """This module's source and the versions of everything that draws the logo (None: the
    cairo library's version is unknown here, so nothing is cached)."""
    import ctypes
    import importlib.metadata

    version: bytes | None = None
    for name in ("libcairo.so.2", "libcairo.2.dylib", "libcairo-2.dll"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.cairo_version_string.restype = ctypes.c_char_p
        version = lib.cairo_version_string()
        break
    if not version:
        return None
    try:
        dists = [f"{d}={importlib.metadata.version(d)}" for d in ("cairosvg", "cairocffi")]
    except importlib.metadata.PackageNotFoundError:
        return None
    return b"\n".join([Path(__file__).read_bytes(), version, *(d.encode() for d in dists)])


def _cached_raster(data: bytes, height: int) -> tuple[Path | None, Image.Image | None]:
    """(the cache file for this SVG at this height, its image if it is there and sound)."""
    folder = raster_cache_dir()
    versions = _raster_versions() if folder is not None else None
    if folder is None or versions is None:
        return None, None
    key = hashlib.sha256(b"%d\n%d\n%s\n%s" % (height, len(versions), versions, data))
    file = folder / f"{key.hexdigest()}.png"
    try:
        with Image.open(file, formats=("PNG",)) as img:
            img.load()
            if img.mode == "RGBA" and img.height == height:
                return file, img.copy()
    except (OSError, ValueError, SyntaxError):  # not there, unreadable, truncated
        pass
    return file, None


def _keep(file: Path, png: bytes) -> None:
    """Write the cache file atomically (a racing build writes the same bytes); errors ignored:
    the cache only saves time."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        tmp.write_bytes(png)
        os.replace(tmp, file)
    except OSError:
        pass


def rasterize_svg(path: Path, height: int, color: str) -> Image.Image:
    """The SVG rasterised by CairoSVG at exactly ``height`` px (RGBA), external refs refused.

    ``currentColor`` in the SVG becomes ``color`` (the theme's text colour), so a one-colour
    wordmark follows light and dark themes; full-colour logos are untouched.
    """
    try:
        with open(path, "rb") as f:
            data = f.read(SVG_MAX_BYTES + 1)
    except OSError as exc:
        raise RenderError(f"cannot read the logo: {exc.strerror}", file=path,
                          field="logo") from exc
    data = svg_text(data, path.name, path)
    check_svg(data, path)
    check_svg_size(data, path.name, path)
    data = data.replace(b"currentColor", color.encode())
    file, cached = _cached_raster(data, height)
    if cached is not None:
        return cached
    import cairosvg.surface

    try:
        png = cairosvg.surface.PNGSurface.convert(
            bytestring=data, output_height=height, unsafe=False, url_fetcher=_refuse_fetch,
        )
        img = Image.open(io.BytesIO(png), formats=("PNG",)).convert("RGBA")
        img.load()
    except RenderError as exc:
        if exc.file is None:  # raised by the url fetcher, which does not know the file
            exc.file = str(path)
        raise
    except Exception as exc:  # CairoSVG raises many types for a broken file
        raise RenderError(f"cannot draw the SVG logo {path.name}: {exc}", file=path,
                          field="logo", hint="export it again as plain SVG") from exc
    if file is not None:
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=1)  # lossless: the same RGBA pixels come back
        _keep(file, buf.getvalue())
    return img
