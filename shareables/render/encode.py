"""PIL image -> file bytes: JPEG (q >= 90, 4:4:4), PNG, WebP or a PDF of slides.

Everything here is deterministic: no timestamps, no random ids, fixed encoder settings, so the
same pixels always give the same bytes (the build's cache and the published manifest rely on
it). Alt text travels inside the file as well as in the manifest: PNG iTXt ``Description`` plus
XMP (``dc:description`` and IPTC ``AltTextAccessibility``, the field newer tools read), JPEG and
WebP XMP (JPEG also a COM comment).

PNG deflate runs on zlib-ng (the `zlib-ng` package), not on the zlib Pillow's wheel loads at
run time (the system's libz.so.1, 1.2.x on Debian 12: about twice as slow at level 6). Pillow
still filters each row (its adaptive filter choice) and writes the chunks; it stores the
filtered rows uncompressed and `_deflate_png` replaces the stored IDAT stream by zlib-ng's.
A flat-colour card (at most `PALETTE_MAX_COLOURS` colours, i.e. flat fills plus anti-aliased
edges) is saved as a 256-colour palette PNG when it stays within `PALETTE_MAX_ERROR` of the
render on every channel of every pixel: a third of the bytes, half the time.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import zlib_ng.zlib_ng as zlib_ng
from PIL import Image, ImageChops, PngImagePlugin

from ..errors import RenderError
from ..platforms import CONTENT_TYPES, EXTENSIONS, Platform

JPEG_QUALITIES = (94, 92, 90)
"""Quality steps that keep the spec's q >= 90; tried in order while a file is over its limit."""
JPEG_FALLBACK_QUALITIES = (86, 82, 78, 72, 65)
"""Below the spec's floor: used only to meet a hard byte limit, always with a note."""
PNG_COMPRESS_LEVEL = 6  # zlib 9 costs ~3x the time for ~2 % on flat-colour cards
PALETTE_MAX_COLOURS = 1024
"""Images with more distinct colours (photos, gradients, colour emoji) stay truecolour."""
PALETTE_MAX_ERROR = 16
"""Largest difference on any channel of any pixel (of 255) a palette PNG may have from the
render. Measured on the shipped designs (benchmarks/palette.py), every PNG platform: at most
10, on anti-aliased edges; PSNR 49-61 dB."""
PALETTE_EXACT = 16
"""The most used colours of a card go into its palette as they are."""


@dataclass(frozen=True)
class Encoded:
    """One encoded image and what the build output should say about it."""

    data: bytes
    fmt: str  # "jpeg" | "png" | "webp"
    ext: str
    content_type: str
    notes: list[str] = field(default_factory=list)


def _lang_alt(value: str, lang: str | None) -> str:
    """An rdf:Alt: the x-default item first, then the same text tagged with its language."""
    v = escape(value)
    tagged = f'<rdf:li xml:lang="{escape(lang)}">{v}</rdf:li>' if lang else ""
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{v}</rdf:li>{tagged}</rdf:Alt>'


def xmp_packet(alt: str, title: str | None = None, lang: str | None = None) -> bytes:
    """A minimal XMP packet carrying the alt text (and a title), UTF-8, no timestamps.

    With `lang` (a BCP 47 tag) each text is also given as that language's alternative, so
    readers that pick by xml:lang (screen readers, DAM tools) know it is, say, Arabic.
    """
    t = f"<dc:title>{_lang_alt(title, lang)}</dc:title>" if title else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
        f"{t}"
        f"<dc:description>{_lang_alt(alt, lang)}</dc:description>"
        f"<Iptc4xmpCore:AltTextAccessibility>{_lang_alt(alt, lang)}"
        "</Iptc4xmpCore:AltTextAccessibility>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
    ).encode()


@lru_cache(maxsize=1)
def srgb_icc() -> bytes:
    """An sRGB ICC profile with its creation date and id zeroed, so it is the same every run.

    Untagged images are *assumed* sRGB by most software; tagging them makes it explicit for the
    ones (print shops, some editors) that would otherwise guess.
    """
    from PIL import ImageCms

    raw = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    raw[24:36] = bytes(12)  # date/time created
    raw[84:100] = bytes(16)  # profile id (an MD5 over the header incl. the date): "not set"
    return bytes(raw)


def _rgb(img: Image.Image) -> Image.Image:
    """8-bit RGB; transparency is flattened onto black (renders are opaque anyway)."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        base = Image.new("RGB", img.size, (0, 0, 0))
        base.paste(img, mask=img.getchannel("A"))
        return base
    return img.convert("RGB")


def _save(img: Image.Image, fmt: str, alt: str, quality: int | None,
          lang: str | None = None) -> bytes:
    buf = io.BytesIO()
    xmp = xmp_packet(alt, lang=lang)
    if fmt in ("jpeg", "webp") and len(xmp) > 60_000:
        # A JPEG APP1 segment holds at most 64 kB; alt text that long is a mistake anyway.
        xmp = xmp_packet(alt[:10_000] + "…", lang=lang)
    if fmt == "png":
        info = PngImagePlugin.PngInfo()
        info.add(b"sRGB", b"\x00")  # perceptual intent: the PNG way to say "this is sRGB"
        info.add_itxt("Description", alt, lang=lang or "")
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        _palette(img).save(buf, "PNG", pnginfo=info, compress_level=0)
        return _deflate_png(buf.getvalue())
    elif fmt == "jpeg":
        img.save(
            buf, "JPEG", quality=quality, subsampling=0, optimize=False, progressive=False,
            icc_profile=srgb_icc(), xmp=xmp, comment=alt.encode("utf-8")[:60000],
        )
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=quality, method=4, icc_profile=srgb_icc(), xmp=xmp)
    else:
        raise ValueError(f"not an image format: {fmt}")
    return buf.getvalue()


def _palette(img: Image.Image) -> Image.Image:
    """A 256-colour version of a flat-colour card within PALETTE_MAX_ERROR, else `img`.

    Works on the card's distinct colours, not its pixels: the palette is an octree of the
    colours (each counted once, so a rare anti-aliasing shade weighs as much as a fill) plus
    the `PALETTE_EXACT` most used colours as they are (the fills, the text colours). Without
    dithering a pixel's index depends on its colour alone, so mapping the colours once gives
    every pixel's error exactly, without comparing the images.
    """
    counted = img.getcolors(PALETTE_MAX_COLOURS)
    if counted is None:
        return img
    ranked: list[tuple[int, Any]] = sorted(counted, key=lambda nc: (-nc[0], nc[1]))
    rgb = b"".join(bytes(c) for _n, c in ranked)  # an RGB image's colours: (r, g, b)
    strip = Image.frombytes("RGB", (len(ranked), 1), rgb)
    tree = strip.quantize(256 - PALETTE_EXACT, method=Image.Quantize.FASTOCTREE,
                          dither=Image.Dither.NONE).getpalette() or []
    entries = tree[: 3 * (256 - PALETTE_EXACT)] + list(rgb[: 3 * PALETTE_EXACT])
    entries += entries[:3] * (256 - len(entries) // 3)
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries)
    mapped = strip.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
    extrema: Any = ImageChops.difference(strip, mapped).getextrema()  # per band (lo, hi)
    worst = max(hi for _lo, hi in extrema)
    if worst > PALETTE_MAX_ERROR:
        return img
    return img.quantize(palette=palette, dither=Image.Dither.NONE)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of every chunk of a PNG file."""
    pos, out = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        out.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def _filtered_rows(stored: list[tuple[bytes, bytes]]) -> bytes:
    """The filtered scanlines of a PNG Pillow wrote at compress_level=0 (stored deflate)."""
    return zlib_ng.decompress(b"".join(body for ctype, body in stored if ctype == b"IDAT"))


def _deflate_png(stored_png: bytes) -> bytes:
    """The PNG with its stored IDAT stream deflated by zlib-ng (one IDAT chunk)."""
    chunks = _chunks(stored_png)
    idat = zlib_ng.compress(_filtered_rows(chunks), PNG_COMPRESS_LEVEL)
    out = [stored_png[:8]]
    placed = False
    for ctype, body in chunks:
        if ctype == b"IDAT":
            if placed:
                continue
            ctype, body, placed = b"IDAT", idat, True
        crc = zlib_ng.crc32(body, zlib_ng.crc32(ctype))
        out.append(len(body).to_bytes(4, "big") + ctype + body + crc.to_bytes(4, "big"))
    return b"".join(out)


def _steps(fmt: str) -> list[int | None]:
    if fmt in ("jpeg", "webp"):
        return list(JPEG_QUALITIES)
    return [None]


def encode_image(img: Image.Image, platform: Platform, *, alt: str, photo: bool,
                 lang: str | None = None,
                 saved: dict[tuple[str, int | None], bytes] | None = None) -> Encoded:
    """Encode for ``platform``: its preferred format, within its byte limits.

    Order of attempts: each format in the platform's preference order (JPEG first when
    ``photo`` is set and the platform takes JPEG: a photo as PNG is large for no gain) at
    spec quality, stepping JPEG/WebP quality from 94 down to 90; if every one is over the
    limit, quality goes below 90 until the file fits, with a note. Raises RenderError if even
    that fails (it would take a pathological image).

    `saved` caches the bytes of each (format, quality) tried for this image, alt text and
    language: platforms drawing the same image (build/plan.py canvas_signature) pass one dict
    and encode once.
    """
    img = _rgb(img)
    saved = {} if saved is None else saved

    def save(fmt: str, q: int | None) -> bytes:
        if (fmt, q) not in saved:
            saved[fmt, q] = _save(img, fmt, alt, q, lang)
        return saved[fmt, q]

    formats = [f for f in platform.formats if f in ("jpeg", "png", "webp")]
    if not formats:
        raise ValueError(f"{platform.id} takes no image format")
    if photo and "jpeg" in formats:
        formats.remove("jpeg")
        formats.insert(0, "jpeg")
    notes: list[str] = []
    first_over: tuple[str, int, int] | None = None
    for fmt in formats:
        limit = platform.limit_for(fmt)
        for q in _steps(fmt):
            data = save(fmt, q)
            if limit is None or len(data) <= limit:
                if first_over is not None:
                    f0, n0, l0 = first_over
                    how = f" at quality {q}" if q is not None else ""
                    notes.append(
                        f"{platform.id}: {f0.upper()} was {n0:,} bytes, over the {l0:,}-byte "
                        f"limit; saved as {fmt.upper()}{how} ({len(data):,} bytes)"
                    )
                return _result(data, fmt, notes)
            if first_over is None:
                first_over = (fmt, len(data), limit)
    # Nothing within the spec's quality fits: the byte limit wins, and we say so.
    for fmt in [f for f in formats if f in ("jpeg", "webp")]:
        limit = platform.limit_for(fmt)
        for q in JPEG_FALLBACK_QUALITIES:
            data = save(fmt, q)
            if limit is None or len(data) <= limit:
                assert first_over is not None
                notes.append(
                    f"{platform.id}: no format fit the byte limit at quality >= 90; saved as "
                    f"{fmt.upper()} quality {q} ({len(data):,} bytes, limit {limit:,})"
                )
                return _result(data, fmt, notes)
    assert first_over is not None
    raise RenderError(
        f"{platform.id}: the image does not fit the {first_over[2]:,}-byte limit in any format",
        hint="use a simpler background image",
    )


def _result(data: bytes, fmt: str, notes: list[str]) -> Encoded:
    return Encoded(data, fmt, EXTENSIONS[fmt], CONTENT_TYPES[fmt], notes)


# --- PDF -------------------------------------------------------------------------------------


def _pdf_text(s: str) -> bytes:
    """A PDF text string: UTF-16BE with BOM, hex-encoded (safe for any character)."""
    return b"<" + ("\ufeff" + s).encode("utf-16-be").hex().upper().encode() + b">"


def _png_idat(img: Image.Image) -> bytes:
    """The zlib stream of a PNG encoding (IDAT chunks joined): PDF decodes it with the PNG
    predictor, so pages are lossless at PNG size, not raw size."""
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=0)
    return zlib_ng.compress(_filtered_rows(_chunks(buf.getvalue())), PNG_COMPRESS_LEVEL)


def encode_pdf(images: Sequence[Image.Image], *, title: str, alt: str,
               lang: str | None = None) -> bytes:
    """A PDF with one page per image, each page exactly the image's pixel size in points.

    Pages are lossless RGB images (Flate with PNG predictors; Pillow's own PDF writer would use
    JPEG and blur the text). Title and alt text go into the document info and XMP metadata.
    Deterministic: the file id is a hash of the content, and there are no dates.
    """
    if not images:
        raise ValueError("a PDF needs at least one page")
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    def stream(dict_body: bytes, data: bytes) -> bytes:
        return b"<<" + dict_body + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"

    catalog = add(b"")  # filled in once the page tree exists
    pages = add(b"")
    xmp = xmp_packet(alt, title, lang)
    meta = add(stream(b"/Type /Metadata /Subtype /XML", xmp))
    page_ids = []
    for img in images:
        img = _rgb(img)
        w, h = img.size
        im = add(stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 "
            b"/BitsPerComponent 8 /Columns %d >>" % (w, h, w),
            _png_idat(img),
        ))
        content = zlib.compress(b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (w, h), 9)
        cs = add(stream(b"/Filter /FlateDecode", content))
        page_ids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /XObject "
            b"<< /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (pages, w, h, im, cs)
        ))
    objs[catalog - 1] = (
        b"<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /ViewerPreferences "
        b"<< /DisplayDocTitle true >> >>" % (pages, meta)
    )
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objs[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    info = add(
        b"<< /Title " + _pdf_text(title) + b" /Subject " + _pdf_text(alt)
        + b" /Producer (shareables) >>"
    )

    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    doc_id = hashlib.md5(out.getvalue()).hexdigest().encode()  # noqa: S324 - an id, not security
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
        % (len(objs) + 1, catalog, info, doc_id, doc_id)
        + b"startxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()
