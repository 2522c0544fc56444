"""The download page: ``output/index.html`` rendered from the manifest.

One self-contained HTML file: CSS and JavaScript are inlined and allowed by SHA-256 hashes in a
Content-Security-Policy ``<meta>``, so the page makes no request besides its own thumbnails and
works from any directory or bucket prefix it is copied to. Links come only from ``url_for``
(relative output paths locally, relative object keys when published) and pass an allow-list of
URL schemes. Everything from the manifest is escaped by Jinja2's autoescape.

Without JavaScript the page is complete: every campaign, design, language and download is
listed. JavaScript only adds filters, the language switch and the "copy caption" button.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from .errors import ShareablesError
from .model import direction_of
from .platforms import PLATFORMS

UrlFor = Callable[[dict[str, Any]], str]

DEFAULT_COLORS = {"background": "#5b1f6b", "accent": "#f2b134"}
"""MADRE purple and gold: used when the manifest has no brand colours or they fail contrast."""

PREVIEW_ORDER = (
    "instagram-square", "instagram-portrait", "facebook", "threads", "pinterest",
    "instagram-story", "whatsapp-status", "x", "bluesky", "linkedin",
)
"""Which platform's thumbnail represents a design: squares and portraits read best on a phone."""

FORMAT_LABELS = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP",
    "application/pdf": "PDF", "application/zip": "ZIP",
}

KIND_LABELS = {"quote": "Quote", "statement": "Statement", "tag": "Call to share",
               "carousel": "Carousel"}

LANGUAGE_NAMES = {
    # Endonyms: a reader looks for the name of their own language in their own script.
    "en": "English", "ar": "العربية", "fa": "فارسی", "prs": "دری", "ps": "پښتو",
    "ur": "اردو", "he": "עברית", "es": "Español", "fr": "Français", "de": "Deutsch",
    "it": "Italiano", "pt": "Português", "tr": "Türkçe", "ku": "Kurdî", "ckb": "کوردی",
    "uk": "Українська", "ru": "Русский", "sw": "Kiswahili", "am": "አማርኛ", "so": "Soomaali",
    "hi": "हिन्दी", "bn": "বাংলা", "zh": "中文", "ja": "日本語", "ko": "한국어",
    "id": "Bahasa Indonesia", "nl": "Nederlands", "pl": "Polski", "el": "Ελληνικά",
}

PAGE_LANG = "en"
"""Language of the page's own interface text (labels, headings, buttons)."""

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SLUG = re.compile(r"[^a-z0-9]+")


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


def human_size(n: int) -> str:
    """Decimal units, as phones and file managers show them: '412 KB', '1.2 MB'."""
    if n < 1000:
        return f"{n} B"
    if n < 999_500:
        return f"{round(n / 1000)} KB"
    return f"{n / 1_000_000:.1f} MB"


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "shareable"


def download_name(artefact: dict[str, Any], brand: str = "MADRE") -> str:
    """The friendly file name a supporter's phone saves: ``madre-<design>-<lang>-<platform>.jpg``.

    The publisher uses the same name in ``Content-Disposition`` so both agree.
    """
    ext = PurePosixPath(str(artefact.get("path", ""))).suffix
    parts = [slug(brand), str(artefact.get("design", "")), str(artefact.get("lang", ""))]
    role = artefact.get("role")
    if role != "bundle" and artefact.get("platform"):
        parts.append(str(artefact["platform"]))
    if artefact.get("slide"):
        parts.append(f"{int(artefact['slide']):02d}")
    return "-".join(slug(p) for p in parts if p) + ext


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


def excerpt(text: str, limit: int = 60) -> str:
    """The opening words of ``text``, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


ARABIC_SCRIPT = frozenset({"ar", "fa", "prs", "ps", "ur", "ckb", "sd", "ug"})


def list_separator(lang: str) -> str:
    """", " — or the Arabic comma "، " in languages written in Arabic script."""
    return "، " if lang.split("-")[0].lower() in ARABIC_SCRIPT else ", "


def language_name(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES.get(base, lang))


def campaign_name(campaign: str) -> str:
    return campaign.replace("-", " ").replace("_", " ").strip().title() or "Other"


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


# --- view model -----------------------------------------------------------------------------


def _format_label(artefact: dict[str, Any]) -> str:
    ct = str(artefact.get("content_type", ""))
    if ct in FORMAT_LABELS:
        return FORMAT_LABELS[ct]
    return PurePosixPath(str(artefact.get("path", ""))).suffix.lstrip(".").upper()


def _platform_label(pid: str) -> str:
    p = PLATFORMS.get(pid)
    return p.label if p else pid.replace("-", " ").capitalize()


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


class _Page:
    """Turns a manifest into the plain dicts the template walks (no logic left in Jinja)."""

    def __init__(self, manifest: dict[str, Any], url_for: UrlFor) -> None:
        self.manifest = manifest
        self.url_for = url_for
        self.brand = str((manifest.get("brand") or {}).get("name") or "MADRE")
        self.img_origins: set[str] = set()
        self._ids: set[str] = set()
        self.by_variant: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for a in manifest.get("artefacts") or []:
            self.by_variant.setdefault((str(a.get("design")), str(a.get("lang"))), []).append(a)

    def uid(self, *parts: str) -> str:
        """A unique, valid HTML id (design ids are already [a-z0-9-], but be safe)."""
        base = "-".join(slug(p) for p in parts)
        n, candidate = 2, base
        while candidate in self._ids:
            candidate, n = f"{base}-{n}", n + 1
        self._ids.add(candidate)
        return candidate

    def href(self, artefact: dict[str, Any]) -> str:
        return safe_url(self.url_for(artefact))

    def img(self, artefact: dict[str, Any], alt: str, lang: str, eager: bool) -> dict[str, Any]:
        src = self.href(artefact)
        parts = urlsplit(src)
        if parts.scheme:
            # Absolute thumbnails (a CDN in front of the bucket) must be allowed by the CSP.
            self.img_origins.add(f"{parts.scheme}://{parts.netloc}")
        return {"src": src, "alt": alt, "width": int(artefact.get("width") or 0) or None,
                "height": int(artefact.get("height") or 0) or None, "lang": lang,
                "loading": "eager" if eager else "lazy"}

    def link(self, artefact: dict[str, Any], label: str, meta: Iterable[str]) -> dict[str, Any]:
        meta = [m for m in meta if m]
        size = artefact.get("bytes")
        if isinstance(size, int):
            meta.append(human_size(size))
        return {"href": self.href(artefact), "download": download_name(artefact, self.brand),
                "label": label, "meta": " · ".join(meta), "platform": artefact.get("platform")}

    def variant(self, v: dict[str, Any], eager: bool) -> dict[str, Any] | None:
        design, lang = str(v.get("design")), str(v.get("lang") or PAGE_LANG)
        arts = self.by_variant.get((design, lang), [])
        if not arts:
            return None  # a failed variant with nothing built: never link to a missing file
        direction = v.get("dir") or direction_of(lang)
        alt = str(v.get("alt") or "")
        kind = str(v.get("kind") or "quote")
        thumbs = {(a.get("platform"), a.get("slide")): a for a in arts
                  if a.get("role") == "thumbnail"}
        order = list(v.get("platforms") or []) or sorted({str(a.get("platform")) for a in arts})
        preview_pids = [p for p in PREVIEW_ORDER if p in order] + [
            p for p in order if p not in PREVIEW_ORDER]

        downloads: list[dict[str, Any]] = []
        slides_by_platform: dict[str, list[dict[str, Any]]] = {}
        for a in sorted((a for a in arts if a.get("role") == "slide"),
                        key=lambda a: int(a.get("slide") or 0)):
            slides_by_platform.setdefault(str(a.get("platform")), []).append(a)
        for pid in order:
            label = _platform_label(pid)
            if pid in slides_by_platform:
                slides = slides_by_platform[pid]
                first = slides[0]
                total = sum(int(s.get("bytes") or 0) for s in slides)
                downloads.append({
                    "platform": pid, "label": label, "slides": [
                        self.link(s, f"Slide {i}", [])
                        for i, s in enumerate(slides, 1)],
                    "meta": " · ".join([f"{len(slides)} slides",
                                        f"{first.get('width')}×{first.get('height')}",
                                        _format_label(first), human_size(total)]),
                })
                continue
            for a in arts:
                if a.get("platform") != pid or a.get("role") not in ("image", "pdf"):
                    continue
                meta = [f"{a.get('width')}×{a.get('height')}", _format_label(a)]
                if a.get("role") == "pdf":
                    pages = len(next(iter(slides_by_platform.values()), []))
                    meta = [f"{pages} pages" if pages else "", _format_label(a)]
                downloads.append({"platform": pid, "slides": None, **self.link(a, label, meta)})
        bundle = next((a for a in arts if a.get("role") == "bundle"), None)
        bundle_link = None
        if bundle is not None:
            what = "All slides and sizes" if kind == "carousel" else "All sizes"
            bundle_link = self.link(bundle, what, ["ZIP"])

        preview = None
        for pid in preview_pids:
            t = thumbs.get((pid, None))
            if t is not None:
                preview = self.img(t, alt, lang, eager)
                break
        strip: list[dict[str, Any]] = []
        for pid in preview_pids:
            slide_thumbs = sorted((a for (p, s), a in thumbs.items() if p == pid and s),
                                  key=lambda a: int(a.get("slide") or 0))
            if slide_thumbs:
                n = len(slide_thumbs)
                for i, t in enumerate(slide_thumbs, 1):
                    # The full description is written out below the strip; repeating it on
                    # every slide would make a screen reader read it n times.
                    own = str(t.get("alt") or "")
                    extra = own if own and own != alt else ""
                    slide_alt = (f"Slide {i} of {n}: {extra}" if extra else
                                 (alt if i == 1 and alt else f"Slide {i} of {n}"))
                    strip.append(self.img(t, slide_alt, lang, eager and i <= 2))
                break

        attribution = v.get("attribution") or None
        text = v.get("text")
        slides_text = v.get("slides")
        if kind == "carousel" and slides_text:
            paragraphs = [str(s) for s in slides_text]
        else:
            paragraphs = _paragraphs(text)
        return {
            "id": self.uid("v", str(v.get("campaign")), design, lang),
            "lang": lang, "dir": direction, "language": language_name(lang),
            "sep": list_separator(lang),
            "original": bool(v.get("original", True)),
            "kind": kind, "title": v.get("title"), "date": v.get("date"),
            "paragraphs": paragraphs, "collapse_text": kind == "carousel",
            "attribution": attribution, "alt": alt, "caption": v.get("caption") or "",
            "credit": v.get("credit"), "preview": preview, "strip": strip,
            "downloads": downloads, "bundle": bundle_link,
            "platforms": [d["platform"] for d in downloads],
        }

    def campaigns(self) -> list[dict[str, Any]]:
        designs: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for v in self.manifest.get("variants") or []:
            did = str(v.get("design"))
            if did not in designs:
                designs[did] = {"id": did, "campaign": str(v.get("campaign") or "other"),
                                "kind": str(v.get("kind") or "quote"), "raw": []}
                order.append(did)
            designs[did]["raw"].append(v)
        campaigns: dict[str, dict[str, Any]] = {}
        shown = 0
        for did in order:
            d = designs[did]
            # The design's own language first, then translations in manifest order.
            raw = sorted(d["raw"], key=lambda v: not v.get("original", True))
            variants = [x for x in (self.variant(v, shown < 2) for v in raw) if x]
            if not variants:
                continue
            shown += 1
            # Headings are in the page's language when a variant is (a reader scanning the
            # page reads "Mahmoud Darwish"), else in the design's own language.
            first = next((x for x in variants if x["lang"] == PAGE_LANG), variants[0])
            name = (first["attribution"] or {}).get("name")
            if d["kind"] == "quote" and name:
                heading = str(name)
            elif first["title"]:
                heading = str(first["title"])
            else:  # an untitled statement or tag: its opening words say what it is
                heading = excerpt(" ".join(first["paragraphs"])) or KIND_LABELS.get(
                    d["kind"], "Design")
            c = campaigns.setdefault(d["campaign"], {
                "id": d["campaign"], "anchor": self.uid("campaign", d["campaign"]),
                "name": campaign_name(d["campaign"]), "designs": []})
            c["designs"].append({
                "id": self.uid("design", did), "campaign": d["campaign"], "kind": d["kind"],
                "kind_label": KIND_LABELS.get(d["kind"], d["kind"].title()),
                "heading": heading, "heading_lang": first["lang"], "heading_dir": first["dir"],
                "variants": variants,
                "langs": " ".join(x["lang"] for x in variants),
                "platforms": " ".join(sorted({p for x in variants for p in x["platforms"]})),
            })
        return list(campaigns.values())


# --- rendering ------------------------------------------------------------------------------


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
        loader=jinja2.PackageLoader("shareables", "templates"),
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
    text = resources.files("shareables").joinpath("static", name).read_text("utf-8")
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
    page = _Page(manifest, url_for)
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
        og_url = page.href(og_art)
        if base_url:
            og_url = urljoin(safe_url(base_url), og_url)
        og = {"url": og_url, "alt": str(site.get("og_alt") or title),
              "width": og_art.get("width") or 1200, "height": og_art.get("height") or 630,
              "type": og_art.get("content_type")}

    img_src = " ".join(["'self'", "data:", *sorted(page.img_origins)])
    csp = "; ".join([
        "default-src 'none'",
        f"img-src {img_src}",
        f"style-src {csp_hash(css)}",
        f"script-src {csp_hash(js)}",
        *(["connect-src 'self'"] if live_reload else []),
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
        filter_platforms=[(p, _platform_label(p)) for p in platforms],
        design_count=sum(len(c["designs"]) for c in campaigns),
        problems=list(problems),
    )
