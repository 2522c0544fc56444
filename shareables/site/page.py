"""The download pages rendered from the manifest (`render_pages`; `pages.py` says which).

Each page is one self-contained HTML file: CSS and JavaScript are inlined and allowed by
SHA-256 hashes in a Content-Security-Policy ``<meta>``, so a page requests only its own
thumbnails (and, when asked, search.json and the files it shares) and works from any
directory or bucket prefix. Links come only from ``url_for`` (relative output paths locally,
relative object keys when published) and pass an allow-list of URL schemes. Everything from
the manifest is escaped by Jinja2's autoescape; ``**inline**`` markup becomes ``<strong>``.

Without JavaScript every page is complete: links to every campaign page, every design and
every file. JavaScript adds sharing, the size choice, copy buttons, search and the language
preselection.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup, escape

from ..errors import ShareablesError
from . import pages as plan
from .bytecode import template_cache
from .i18n import strings, ui_language
from .model import (
    PageModel,
    download_name,
    excerpt,
    human_size,
    language_name,
    list_separator,
    slug,
)

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "UnsafeURLError", "csp_hash", "contrast_ratio", "download_name", "excerpt", "favicon",
    "human_size", "isolate_tags", "language_name", "list_separator", "page_assets",
    "page_colors", "render_index", "render_pages", "safe_url", "slug",
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


_STRONG = re.compile(r"\*\*(.+?)\*\*", re.S)


def rich(text: str | None) -> Markup:
    """A design's text for the page: ``**inline**`` as ``<strong>``, tags isolated, the rest
    escaped (the asterisks never reach the page)."""
    parts = _STRONG.split(text or "")
    return Markup("").join(
        Markup("<strong>{}</strong>").format(isolate_tags(p)) if i % 2 else isolate_tags(p)
        for i, p in enumerate(parts))




@cache
def _env() -> jinja2.Environment:
    import jinja2  # here: a build whose pages are all unchanged never needs it (~50 ms)

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("shareables.site", "templates"),
        autoescape=True,  # every manifest string is untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=template_cache(),  # bytecode.py
    )
    env.filters["tags"] = isolate_tags
    env.filters["rich"] = rich
    return env


def warm() -> None:
    """Load now what rendering a page will need (Jinja, the compiled templates, the
    catalogue, the static files: ~40 ms), e.g. while a build waits for its renders."""
    from .i18n import catalogue

    catalogue()
    for name in ("index.html.j2", "campaign.html.j2", "_parts.html.j2"):
        _env().get_template(name)
    for name in ("page.css", "page.js", "head.js"):
        _static(name)


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


def _json_block(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: ``<`` escaped so no text in it
    can close the element."""
    import json

    return Markup(json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                  .replace("<", "\\u003c"))


def embed_snippet(embed_url: str, title: str) -> str:
    """The copy-paste HTML that puts a campaign's embed page on another site.

    The iframe grows to its content: the embed page posts its height and this listener,
    which only trusts messages from the iframe's own window, applies it.
    """
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" '
        'allow="web-share; clipboard-write" loading="lazy" '
        'style="width:100%;height:900px;border:0" data-shareables></iframe>\n'
        "<script>addEventListener(\"message\",function(e){var f=document.querySelectorAll("
        "\"iframe[data-shareables]\");for(var i=0;i<f.length;i++)if(e.source===f[i]."
        "contentWindow&&e.data&&e.data.type===\"shareables:height\")f[i].style.height="
        "e.data.height+\"px\"});</script>")


def render_pages(manifest: dict[str, Any], url_for: UrlFor, *, base_url: str | None = None,
                 live_reload: str | None = None, problems: Sequence[str] = (),
                 only: str | Collection[str] | None = None) -> dict[str, str]:
    """Every page of the site (name -> text); see `iter_pages`."""
    return dict(iter_pages(manifest, url_for, base_url=base_url, live_reload=live_reload,
                           problems=problems, only=only))


def iter_pages(
    manifest: dict[str, Any],
    url_for: UrlFor,
    *,
    base_url: str | None = None,
    live_reload: str | None = None,
    problems: Sequence[str] = (),
    only: str | Collection[str] | None = None,
    into: dict[str, Any] | None = None,
) -> Iterator[tuple[str, str]]:
    """Every page of the site as (name, text), one at a time (see pages.py); each link is
    ``url_for(a)``.

    ``base_url`` (the public URL of the pages) makes ``og:image``, ``og:url`` and the embed
    snippet absolute, as link previews and other sites need. ``live_reload`` is the path
    ``shareables serve`` answers with the build version: the page polls it and reloads.
    ``problems`` (the preview's latest build errors) are listed on the index. ``only`` renders
    just those pages (the preview renders one page per request). ``into`` receives the
    site's layout: ``layout`` (each campaign's id and design ids) and ``langs``.
    """
    wanted = {only} if isinstance(only, str) else set(only) if only is not None else None
    model = PageModel(manifest, lambda a: safe_url(url_for(a)), url_for)
    designs = model.designs(full=None if wanted is None else ())
    campaigns = plan.campaigns_of(designs)
    langs = plan.page_languages(designs)
    if into is not None:
        into.update(layout=plan.layout_of(campaigns), langs=langs)
    if wanted is not None:  # only the designs those pages show need their files
        shown = {i for name, ids in plan.page_contents(campaigns, langs) if name in wanted
                 for i in ids}
        model.fill(d for d in designs if d["id"] in shown)
    colors = page_colors(manifest.get("brand") or {})
    css = (f":root{{--brand:{colors['background']};--accent:{colors['accent']}}}\n"
           + _static("page.css"))
    js, head_js = _static("page.js"), _static("head.js")
    site = manifest.get("site") or {}
    brand = manifest.get("brand") or {}
    handle = brand.get("handle") or None
    site_title = str(site.get("title") or f"{model.brand} shareables")
    base = safe_url(base_url) if base_url else None
    og = _og(manifest, url_for, site, site_title, base)
    origins = sorted(model.img_origins | model.media_origins)
    media = sorted(model.media_origins)
    clips = model.has_clips
    csp = "; ".join([
        "default-src 'none'",
        " ".join(["img-src", "'self'", "data:", *origins]),
        # Clips play from media-src; Share fetches the files it hands over (connect-src).
        *([" ".join(["media-src", "'self'", *media])] if clips else []),
        f"style-src {csp_hash(css)}",
        f"script-src {csp_hash(js)} {csp_hash(head_js)}",
        " ".join(["connect-src", "'self'", *origins]),
        "base-uri 'none'",
        "form-action 'none'",
    ])
    total = len(designs)
    common = {
        "brand_name": model.brand, "handle": handle, "css": Markup(css), "js": Markup(js),
        "head_js": Markup(head_js), "csp": csp, "og": og, "theme_color": colors["background"],
        "favicon": favicon(model.brand, colors["background"]), "search_url": "search.json",
        "live_reload": safe_url(live_reload) if live_reload else None,
        "problems": list(problems),
    }
    env = _env()

    def skip(name: str) -> bool:
        return wanted is not None and name not in wanted

    def emit(name: str, template: str, lang: str, base_name: str, **ctx: Any
             ) -> tuple[str, str]:
        ui = strings(lang)
        alternates = plan.alternates(base_name, langs)
        if base:
            for a in alternates:
                a["href"] = urljoin(base, a["href"])
        intro = (ui["intro"].format(handle=handle) if handle else ui["intro_nohandle"])
        return name, env.get_template(template).render(
            **common, **ctx, lang=lang, ui=ui, ui_lang=ui_language(lang),
            ui_json=_json_block({k: ui[k] for k in _JS_STRINGS}),
            alternates=alternates, intro=intro,
            page_url=urljoin(base, name) if base else None,
            index_href=plan.file_name("index", lang),
            designs_total=ui["designs_n"].format(n=total))

    description = str(site.get("description") or (
        f"Images, carousels and captions from {model.brand} to download and share, "
        "each with a written image description."))
    for lang in langs:
        ui = strings(lang)
        cards_index = []
        for c in campaigns if not skip(plan.file_name("index", lang)) else ():
            cover = cover_of(plan.card(c["designs"][0], lang, langs))
            cards_index.append({"name": c["name"], "cover": cover,
                                "href": plan.file_name(c["base"], lang),
                                "count": ui["designs_n"].format(n=len(c["designs"]))})
        if not skip(plan.file_name("index", lang)):
            yield emit(plan.file_name("index", lang), "index.html.j2", lang, "index",
                       title=site_title, heading=site_title, description=description,
                       campaigns=cards_index, embed=False, crumbs=False)
        for c in campaigns:
            pages = c["pages"]
            for n, chunk in enumerate(pages, 1):
                base_name = plan.page_base(c["id"], n)
                if skip(plan.file_name(base_name, lang)):
                    continue
                pager = [{"n": i, "current": i == n,
                          "href": plan.file_name(plan.page_base(c["id"], i), lang)}
                         for i in range(1, len(pages) + 1)]
                embed_name = plan.file_name(c["embed"], lang)
                snippet = embed_snippet(urljoin(base, embed_name) if base else embed_name,
                                        f"{c['name']} — {site_title}") if n == 1 else None
                title = c["name"] if n == 1 else f"{c['name']} ({ui['page_n'].format(n=n)})"
                yield emit(plan.file_name(base_name, lang), "campaign.html.j2", lang,
                           base_name, title=f"{title} — {site_title}", heading=c["name"],
                           description=description, embed=False, crumbs=True, pages=pager,
                           snippet=snippet, cards=[plan.card(d, lang, langs) for d in chunk])
            if skip(plan.file_name(c["embed"], lang)):
                continue
            yield emit(
                plan.file_name(c["embed"], lang), "campaign.html.j2", lang, c["embed"],
                title=f"{c['name']} — {site_title}", heading=c["name"],
                description=description, embed=True, crumbs=False, pages=[], snippet=None,
                see_all={"href": urljoin(base, plan.file_name(c["base"], lang)) if base
                         else plan.file_name(c["base"], lang),
                         "label": ui["see_all"].format(campaign=c["name"])},
                cards=[plan.card(d, lang, langs) for d in c["designs"][:plan.EMBED_SIZE]])
    if not skip(plan.SEARCH):
        yield plan.SEARCH, plan.search_index(campaigns)


def cover_of(card: dict[str, Any]) -> dict[str, Any] | None:
    """The picture a campaign's first card gives it on the index (None: no preview)."""
    # An 88 px cover: the 1x preview is already sharp enough at 3x.
    return {**card["main"]["main"]["previews"][0], "srcset": None} if card["main"] else None


def picture_html(picture: dict[str, Any], eager: bool) -> str:
    """A preview's ``<img>`` as the pages write it (`eager`: among the first two)."""
    macro = _env().get_template("_parts.html.j2").module.picture  # type: ignore[attr-defined]
    return str(macro(picture, eager))


def card_html(card: dict[str, Any], lang: str, eager: bool) -> str:
    """One design's card (`pages.card`) as a page in `lang` holds it; `eager`: one of the
    first two of its page (their previews load first)."""
    macro = _env().get_template("_parts.html.j2").module.card  # type: ignore[attr-defined]
    return str(macro(card, strings(lang), eager))


_JS_STRINGS = ("copied", "copy_failed", "preparing", "share_failed", "search_none",
               "search_found", "slide_n")
"""The catalogue strings the script needs (it reads them from a JSON block on the page)."""


def _og(manifest: dict[str, Any], url_for: UrlFor, site: dict[str, Any], title: str,
        base: str | None) -> dict[str, Any] | None:
    og_art = next((a for a in manifest.get("artefacts") or [] if a.get("role") == "site-og"),
                  None)
    if og_art is None and site.get("og_image"):
        og_art = {"role": "site-og", "path": site["og_image"], "width": 1200, "height": 630}
    if og_art is None:
        return None
    url = safe_url(url_for(og_art))
    if base:
        url = urljoin(base, url)
    return {"url": url, "alt": str(site.get("og_alt") or title),
            "width": og_art.get("width") or 1200, "height": og_art.get("height") or 630,
            "type": og_art.get("content_type")}


def render_index(manifest: dict[str, Any], url_for: UrlFor, *, base_url: str | None = None,
                 live_reload: str | None = None, problems: Sequence[str] = ()) -> str:
    """The English index page alone (what ``shareables serve`` answers at ``/``)."""
    return render_pages(manifest, url_for, base_url=base_url, live_reload=live_reload,
                        problems=problems, only="index.html")["index.html"]
