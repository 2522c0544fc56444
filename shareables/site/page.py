"""The download page: ``output/index.html`` rendered from the manifest.

One self-contained HTML file: CSS and JavaScript are inlined and allowed by SHA-256 hashes in a
Content-Security-Policy ``<meta>``, so the page makes no request besides its own thumbnails and
works from any directory or bucket prefix it is copied to. Links come only from ``url_for``
(relative output paths locally, relative object keys when published) and pass an allow-list of
URL schemes. Everything from the manifest is escaped by Jinja2's autoescape.

Without JavaScript the page is complete: every campaign, design, language and download is
listed. JavaScript only adds filters, the language switch and the "copy caption" button.

sitemodel.py turns the manifest into the plain dicts the template walks; this module checks
links, builds the CSP and renders.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from ..errors import ShareablesError
from ..platforms import PLATFORMS
from .model import (
    PAGE_LANG,
    PageModel,
    download_name,
    excerpt,
    human_size,
    language_name,
    list_separator,
    platform_label,
    slug,
)

__all__ = [
    "UnsafeURLError", "csp_hash", "contrast_ratio", "download_name", "excerpt", "favicon",
    "human_size", "isolate_tags", "language_name", "list_separator", "page_assets",
    "page_colors", "render_index", "safe_url", "slug",
]

UrlFor = Callable[[dict[str, Any]], str]

DEFAULT_COLORS = {"background": "#5b1f6b", "accent": "#f2b134"}
"""MADRE purple and gold: used when the manifest has no brand colours or they fail contrast."""

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class UnsafeURLError(ShareablesError, ValueError):
    """A link the page would render is not relative, http or https."""


# --- small pure helpers (unit-tested) -------------------------------------------------------


def safe_url(url: str) -> str:
    """Return ``url`` if it is relative or http(s), percent-encoding stray characters.

    Browsers drop tabs/newlines and leading control characters before reading a scheme
    (``java\\tscript:`` runs), so the scheme is judged on the URL as a browser would see it.
    Protocol-relative (``//host``) and backslash forms are refused: "relative" means our own
    origin, and those reach another host.
    """
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURLError(f"empty link {url!r} in the manifest")
    probe = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    m = _SCHEME.match(probe)
    if m:
        if m.group(1).lower() not in ("http", "https"):
            raise UnsafeURLError(
                f"link {url!r} uses the {m.group(1).lower()}: scheme",
                hint="only relative, http and https links are allowed on the download page",
            )
        if not urlsplit(probe).netloc:
            raise UnsafeURLError(f"link {url!r} has no host")
    elif probe.startswith(("//", "\\", "/\\")):
        raise UnsafeURLError(
            f"link {url!r} points to another host without a scheme",
            hint="use a relative path or a full https:// URL",
        )
    # Spaces and non-ASCII in keys become %XX; existing escapes and URL syntax are kept.
    return quote(probe, safe=":/?#[]@!$&'()*+,;=%~")


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours."""

    def lum(hex_: str) -> float:
        h = hex_.lstrip("#")
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        chans = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def page_colors(brand: dict[str, Any]) -> dict[str, str]:
    """Brand colours for the page, each kept only if it stays readable.

    The brand colour carries white text (masthead) and is itself text on white (links), so it
    needs 4.5:1 against white; the accent is a rule and focus ring on the brand colour (3:1).
    Anything else falls back to MADRE's own colours rather than producing an unreadable page.
    """
    given = brand.get("colors") or {}
    out = dict(DEFAULT_COLORS)
    bg = given.get("background")
    if isinstance(bg, str) and _HEX.match(bg) and contrast_ratio(bg, "#ffffff") >= 4.5:
        out["background"] = bg
    acc = given.get("accent")
    if isinstance(acc, str) and _HEX.match(acc) and contrast_ratio(acc, out["background"]) >= 3:
        out["accent"] = acc
    elif contrast_ratio(out["accent"], out["background"]) < 3:
        out["accent"] = "#ffffff"
    return out


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def favicon(brand: str, color: str) -> str:
    """A tiny SVG icon (the brand's initial on its colour) as a data: URL.

    Inline because the page ships as one file: without an icon every visit would request a
    /favicon.ico the bucket does not have. This is why the CSP allows ``data:`` images.
    """
    initial = next((c.upper() for c in brand if c.isalnum()), "")
    letter = (f"<text x='16' y='23' font-size='20' font-weight='700' text-anchor='middle' "
              f"font-family='Georgia,serif' fill='#fff'>{escape(initial)}</text>")
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
           f"<rect width='32' height='32' rx='7' fill='{color}'/>"
           + (letter if initial else "") + "</svg>")
    return "data:image/svg+xml," + quote(svg, safe="")


def page_assets() -> dict[str, bytes]:
    """Extra files the page needs next to index.html: none, CSS and JS are inline.

    Kept so the build and the publisher can copy "whatever the page needs" without caring.
    """
    return {}


_ISOLATE = re.compile(r"([@#][\w.]*\w)")


def isolate_tags(text: str | None) -> Markup:
    """Escape ``text`` and wrap @handles and #hashtags in ``<bdi>``.

    In an Arabic caption "… درويش @madrespeaks" the neutral "@" would otherwise join the
    Arabic run and show as "madrespeaks@"; an isolate keeps each tag in its own direction.
    """
    parts = _ISOLATE.split(text or "")
    return Markup("").join(
        Markup("<bdi>{}</bdi>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("shareables.site", "templates"),
        autoescape=True,  # every manifest string is untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tags"] = isolate_tags
    return env


@cache
def _static(name: str) -> str:
    """A static file, its comments and indentation dropped (they are most of the bytes).

    Only whole-line ``//`` comments and ``/* */`` blocks are removed, never anything inside a
    line, so no string literal can be cut; the files are written to keep that true.
    """
    text = resources.files("shareables.site").joinpath("static", name).read_text("utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def render_index(
    manifest: dict[str, Any],
    url_for: UrlFor,
    *,
    base_url: str | None = None,
    live_reload: str | None = None,
    problems: Sequence[str] = (),
) -> str:
    """Render the download page for ``manifest``; every link is ``url_for(artefact)``.

    ``base_url`` (the public URL of the page) makes ``og:image`` absolute, as link previews
    require; without it the tag is relative. ``live_reload`` is the path of the endpoint
    ``shareables serve`` answers with the build version: the page polls it and reloads, and the
    CSP then allows ``connect-src 'self'``. Published pages never set it. ``problems`` (the
    preview's latest build errors) are listed at the top of the page.
    """
    page = PageModel(manifest, lambda a: safe_url(url_for(a)))
    campaigns = page.campaigns()
    colors = page_colors(manifest.get("brand") or {})
    css = (f":root{{--brand:{colors['background']};--accent:{colors['accent']}}}\n"
           + _static("page.css"))
    js = _static("page.js")

    site = manifest.get("site") or {}
    brand = manifest.get("brand") or {}
    title = str(site.get("title") or f"{page.brand} shareables")
    og = None
    og_art = next((a for a in manifest.get("artefacts") or [] if a.get("role") == "site-og"), None)
    if og_art is None and site.get("og_image"):
        og_art = {"role": "site-og", "path": site["og_image"], "width": 1200, "height": 630}
    if og_art is not None:
        og_url = safe_url(url_for(og_art))
        if base_url:
            og_url = urljoin(safe_url(base_url), og_url)
        og = {"url": og_url, "alt": str(site.get("og_alt") or title),
              "width": og_art.get("width") or 1200, "height": og_art.get("height") or 630,
              "type": og_art.get("content_type")}

    media = sorted(page.media_origins)
    img_src = " ".join(["'self'", "data:", *sorted(page.img_origins | page.media_origins)])
    clips = any(v["clips"] for c in campaigns for d in c["designs"] for v in d["variants"])
    # Clips play from media-src; their Share button fetches the MP4 to share it as a file.
    media_src = ["media-src " + " ".join(["'self'", *media])] if clips else []
    connect = " ".join(["'self'", *(media if clips else [])])
    csp = "; ".join([
        "default-src 'none'",
        f"img-src {img_src}",
        *media_src,
        f"style-src {csp_hash(css)}",
        f"script-src {csp_hash(js)}",
        *([f"connect-src {connect}"] if live_reload or clips else []),
        "base-uri 'none'",
        "form-action 'none'",
    ])
    handle = brand.get("handle") or None
    languages = sorted({x["lang"] for c in campaigns for d in c["designs"] for x in d["variants"]})
    platforms = [p for p in PLATFORMS
                 if any(p in d["platforms"].split() for c in campaigns for d in c["designs"])]
    description = str(site.get("description") or (
        f"Images, carousels and captions from {page.brand} to download and share, "
        "each with a written image description."))
    return _env().get_template("index.html.j2").render(
        title=title, description=description, brand_name=page.brand, handle=handle,
        campaigns=campaigns, css=Markup(css), js=Markup(js), csp=csp, og=og,
        base_url=safe_url(base_url) if base_url else None,
        live_reload=safe_url(live_reload) if live_reload else None,
        theme_color=colors["background"], page_lang=PAGE_LANG,
        favicon=favicon(page.brand, colors["background"]),
        filter_languages=[(lang, language_name(lang)) for lang in languages],
        filter_platforms=[(p, platform_label(p)) for p in platforms],
        design_count=sum(len(c["designs"]) for c in campaigns),
        problems=list(problems),
    )
