"""The download page's view model: manifest -> campaigns -> designs -> language variants.

Plain dicts for the template (site.py renders them), so the Jinja template holds no logic and
the grouping, ordering and labelling rules are testable here without HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..platforms import PLATFORMS
from ..project.model import direction_of
from .clips import clip_items

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

ARABIC_SCRIPT = frozenset({"ar", "fa", "prs", "ps", "ur", "ckb", "sd", "ug"})
_SLUG = re.compile(r"[^a-z0-9]+")


def human_size(n: int) -> str:
    """Decimal units, as phones and file managers show them: '412 KB', '1.2 MB'."""
    if n < 1000:
        return f"{n} B"
    if n < 999_500:
        return f"{round(n / 1000)} KB"
    return f"{n / 1_000_000:.1f} MB"


def slug(text: str, fallback: str = "shareable") -> str:
    """A lowercase ASCII slug for download names ("MADRE" -> "madre", "Café" -> "cafe")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.lower()).strip("-") or fallback


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


def excerpt(text: str, limit: int = 60) -> str:
    """The opening words of ``text``, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


def list_separator(lang: str) -> str:
    """", " — or the Arabic comma "، " in languages written in Arabic script."""
    return "، " if lang.split("-")[0].lower() in ARABIC_SCRIPT else ", "


def language_name(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES.get(base, lang))


def campaign_name(campaign: str) -> str:
    return campaign.replace("-", " ").replace("_", " ").strip().title() or "Other"


def format_label(artefact: dict[str, Any]) -> str:
    ct = str(artefact.get("content_type", ""))
    if ct in FORMAT_LABELS:
        return FORMAT_LABELS[ct]
    return PurePosixPath(str(artefact.get("path", ""))).suffix.lstrip(".").upper()


def platform_label(pid: str) -> str:
    p = PLATFORMS.get(pid)
    return p.label if p else pid.replace("-", " ").capitalize()


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


class PageModel:
    """Turns a manifest into the plain dicts the template walks (no logic left in Jinja)."""

    def __init__(self, manifest: dict[str, Any], href: Callable[[dict[str, Any]], str]) -> None:
        """``href(artefact)`` is the link, already checked against the URL allow-list."""
        self.manifest = manifest
        self.href = href
        self.brand = str((manifest.get("brand") or {}).get("name") or "MADRE")
        self.img_origins: set[str] = set()
        self.media_origins: set[str] = set()  # clips on another origin (CSP media/connect)
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
            label = platform_label(pid)
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
                                        format_label(first), human_size(total)]),
                })
                continue
            for a in arts:
                if a.get("platform") != pid or a.get("role") not in ("image", "pdf"):
                    continue
                meta = [f"{a.get('width')}×{a.get('height')}", format_label(a)]
                if a.get("role") == "pdf":
                    pages = len(next(iter(slides_by_platform.values()), []))
                    meta = [f"{pages} pages" if pages else "", format_label(a)]
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
            "clips": clip_items(arts, self.href, self.link, self.media_origins),
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
