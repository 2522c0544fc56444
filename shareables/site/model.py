"""The download page's view model: manifest -> campaigns -> designs -> language variants.

Plain dicts for the templates, so Jinja holds no logic and the grouping, ordering and
labelling rules are testable here without HTML. Each variant's files are grouped by canvas
shape (`shapes.py`); within a shape, byte-identical files are offered once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..platforms import CLIPS, PLATFORMS, target
from ..project.model import direction_of
from .clips import clip_items
from .names import file_labels
from .shapes import SHAPES, app_name, shape_of, sizes_attr

FORMAT_LABELS = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP",
    "application/pdf": "PDF", "application/zip": "ZIP",
}

LANGUAGE_NAMES = {
    # Endonyms: a reader looks for the name of their own language in their own script.
    "en": "English", "ar": "العربية", "fa": "فارسی", "prs": "دری", "ps": "پښتو",
    "ur": "اردو", "he": "עברית", "es": "Español", "fr": "Français", "de": "Deutsch",
    "it": "Italiano", "pt": "Português", "tr": "Türkçe", "ku": "Kurdî", "ckb": "کوردی",
    "uk": "Українська", "ru": "Русский", "sw": "Kiswahili", "am": "አማርኛ", "so": "Soomaali",
    "hi": "हिन्दी", "bn": "বাংলা", "zh": "中文", "ja": "日本語", "ko": "한국어",
    "id": "Bahasa Indonesia", "nl": "Nederlands", "pl": "Polski", "el": "Ελληνικά",
}

FILE_ROLES = ("image", "slide", "pdf")
"""The files grouped by shape; clips (MP4) have their own block on the card (clips.py)."""

SHARE_MAX_FILES = 10
SHARE_MAX_BYTES = 50_000_000
"""Chromium's Web Share limits: more files or bytes than this cannot be shared at once."""

ARABIC_SCRIPT = frozenset({"ar", "fa", "prs", "ps", "ur", "ckb", "sd", "ug"})
_SLUG = re.compile(r"[^a-z0-9]+")
_MARKUP = re.compile(r"\*\*(.+?)\*\*", re.S)


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


def download_name(artefact: Mapping[str, Any], brand: str = "MADRE",
                  label: str | None = None) -> str:
    """The friendly file name a supporter's phone saves: ``madre-<design>-<lang>-<platform>.jpg``.

    `label` takes the platform's place for a file several platforms share (names.py:
    ``madre-<design>-<lang>-portrait.jpg``). The publisher uses the same name in
    ``Content-Disposition`` so both agree.
    """
    ext = PurePosixPath(str(artefact.get("path", ""))).suffix
    parts = [slug(brand), str(artefact.get("design", "")), str(artefact.get("lang", ""))]
    role = artefact.get("role")
    if role != "bundle" and (label or artefact.get("platform")):
        parts.append(str(label or artefact["platform"]))
    if role == "bundle" and artefact.get("group"):
        parts.append(str(artefact["group"]))
    if artefact.get("slide"):
        parts.append(f"{int(artefact['slide']):02d}")
    return "-".join(slug(p) for p in parts if p) + ext


def plain(text: str | None) -> str:
    """Text with the designs' ``**inline**`` markup removed (for alt text and captions)."""
    return _MARKUP.sub(r"\1", text or "")


def excerpt(text: str, limit: int = 60) -> str:
    """The opening words of ``text``, cut at a word boundary with an ellipsis."""
    text = " ".join(plain(text).split())
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


def _platform_order(pid: str) -> int:
    return list(PLATFORMS).index(pid) if pid in PLATFORMS else len(PLATFORMS)


class PageModel:
    """Turns a manifest into the plain dicts the templates walk.

    A page shows a dozen designs, so the files of a design (its groups, zips and clips: most
    of the work) are worked out only for the designs asked for (`designs(full=…)`, `fill`);
    the others get their words only, which is all the search index and the page plan need.
    """

    def __init__(self, manifest: dict[str, Any], href: Callable[[dict[str, Any]], str],
                 url: Callable[[dict[str, Any]], str] | None = None) -> None:
        """``href(artefact)`` is the link, already checked against the URL allow-list;
        ``url`` the same link unchecked (cheaper: used to find other origins)."""
        self.manifest = manifest
        self.href = href
        self.url = url or href
        self.brand = str((manifest.get("brand") or {}).get("name") or "MADRE")
        self.img_origins: set[str] = set()
        self.media_origins: set[str] = set()  # clips on another origin (CSP media/connect)
        self.by_variant: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.labels: dict[str, str] = {}  # shared files' names, per variant worked out
        self.built: set[tuple[str, str]] = set()  # (design, lang) with a file to offer
        self.has_clips = False
        for a in manifest.get("artefacts") or []:
            key = (str(a.get("design")), str(a.get("lang")))
            self.by_variant.setdefault(key, []).append(a)
            if a.get("role") in FILE_ROLES:
                self.built.add(key)
        self._origins()

    def _origins(self) -> None:
        """Origins of absolute links to previews and clips of built variants (the CSP must
        allow them); relative links, the usual case, are skipped without parsing."""
        for key in self.built:
            arts = self.by_variant[key]
            by_path = None
            for a in arts:
                role = a.get("role")
                if role == "thumbnail":
                    self._origin(a, self.img_origins)
                elif role == "clip":
                    self.has_clips = True
                    by_path = by_path or {x.get("path"): x for x in arts}
                    for other in (a, by_path.get(a.get("poster")), by_path.get(a.get("captions"))):
                        if other is not None:
                            self._origin(other, self.media_origins)

    def _origin(self, a: dict[str, Any], into: set[str]) -> None:
        if ":" in self.url(a):  # no colon, no scheme
            parts = urlsplit(self.href(a))
            if parts.scheme:
                into.add(f"{parts.scheme}://{parts.netloc}")

    def _src(self, artefact: dict[str, Any]) -> str:
        src = self.href(artefact)
        parts = urlsplit(src)
        if parts.scheme:
            # Absolute thumbnails (a CDN in front of the bucket) must be allowed by the CSP.
            self.img_origins.add(f"{parts.scheme}://{parts.netloc}")
        return src

    def download_name(self, a: dict[str, Any]) -> str:
        """The name the saved file gets: a published object's own (its Content-Disposition
        says the same), else the name the publisher will give it."""
        key = a.get("key")
        if isinstance(key, str) and key.startswith("files/") and key.count("/") == 2:
            return key.rsplit("/", 1)[1]
        return download_name(a, self.brand, self.labels.get(str(a.get("path"))))

    def link(self, a: dict[str, Any]) -> dict[str, Any]:
        meta = []
        if a.get("width") and a.get("role") != "pdf":
            meta.append(f"{a.get('width')}×{a.get('height')}")
        meta.append(format_label(a))
        if isinstance(a.get("bytes"), int):
            meta.append(human_size(a["bytes"]))
        return {"href": self.href(a), "download": self.download_name(a),
                "type": str(a.get("content_type") or ""), "bytes": int(a.get("bytes") or 0),
                "meta": " · ".join(meta), "slide": a.get("slide")}

    def picture(self, thumbs: list[dict[str, Any]], shape: str) -> dict[str, Any] | None:
        """src/srcset/sizes of one preview from its thumbnails (one per width)."""
        if not thumbs:
            return None
        thumbs = sorted(thumbs, key=lambda t: int(t.get("width") or 0))
        first = thumbs[0]
        srcset = ", ".join(f"{self._src(t)} {int(t.get('width') or 0)}w" for t in thumbs)
        return {"src": self._src(first), "srcset": srcset if len(thumbs) > 1 else None,
                "sizes": sizes_attr(shape), "width": int(first.get("width") or 0) or None,
                "height": int(first.get("height") or 0) or None}

    def variant(self, v: dict[str, Any], full: bool = True) -> dict[str, Any] | None:
        """One language of a design as a card shows it (None: nothing built to offer).

        Without `full`, only its words (no files): for the search index and the page plan.
        """
        design, lang = str(v.get("design")), str(v.get("lang") or "en")
        if (design, lang) not in self.built:
            return None  # a failed variant with nothing built: never link to a missing file
        arts = self.by_variant[(design, lang)]
        kind = str(v.get("kind") or "quote")
        if full:  # labels depend on the variant's own artefacts only (names.py)
            self.labels.update(file_labels(arts))
        groups = self._groups(arts) if full else []
        bundle = next((a for a in arts if a.get("role") == "bundle" and not a.get("group")),
                      None) if full else None
        attribution = v.get("attribution") or None
        slides_text = v.get("slides")
        paragraphs = ([str(s) for s in slides_text] if kind == "carousel" and slides_text
                      else _paragraphs(v.get("text")))
        return {
            "lang": lang, "dir": v.get("dir") or direction_of(lang),
            "language": language_name(lang), "sep": list_separator(lang),
            "original": bool(v.get("original", True)), "kind": kind,
            "title": v.get("title"), "date": v.get("date"), "paragraphs": paragraphs,
            "attribution": attribution, "alt": plain(v.get("alt")),
            "caption": plain(v.get("caption")), "credit": v.get("credit"),
            "groups": groups, "bundle": self.link(bundle) if bundle else None,
            "clips": clip_items(arts, self.href, self._clip_link, self.media_origins)
            if full else [],
        }

    def _clip_link(self, a: dict[str, Any], label: str, meta: list[str]) -> dict[str, Any]:
        link = self.link(a)
        size = human_size(int(a["bytes"])) if isinstance(a.get("bytes"), int) else ""
        return {**link, "label": label, "platform": a.get("platform"),
                "meta": " · ".join(m for m in [*meta, size] if m)}

    def _groups(self, arts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        thumbs: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
        views: dict[str, dict[str, Any]] = {}
        zips: dict[str, dict[str, Any]] = {}
        files: dict[str, list[dict[str, Any]]] = {}
        for a in arts:
            role, pid = a.get("role"), str(a.get("platform"))
            if role == "thumbnail":
                thumbs.setdefault((pid, a.get("slide")), []).append(a)
            elif role == "view" and a.get("of"):
                views[str(a["of"])] = a
            elif role == "bundle" and a.get("group"):
                zips[str(a["group"])] = a
            elif role in FILE_ROLES:
                files.setdefault(pid, []).append(a)
        by_shape: dict[str, list[str]] = {}
        for pid in sorted(files, key=_platform_order):
            p = PLATFORMS.get(pid) or (target(pid) if pid in CLIPS else None)
            shape = shape_of(p) if p else None
            if shape:
                by_shape.setdefault(shape, []).append(pid)
        groups = []
        for shape in (s.key for s in SHAPES):
            pids = by_shape.get(shape)
            if not pids:
                continue
            items: list[dict[str, Any]] = []
            seen: dict[tuple[str, ...], dict[str, Any]] = {}
            for pid in pids:
                own = sorted(files[pid], key=lambda a: int(a.get("slide") or 0))
                ident = tuple(str(a.get("sha256")) for a in own)
                if ident in seen:  # byte-identical to another platform's: offer it once
                    seen[ident]["apps"].append(app_name(pid))
                    continue
                first = own[0]
                doc = first.get("role") == "pdf"
                item: dict[str, Any] = {"platform": pid, "apps": [app_name(pid)], "pdf": doc,
                        "slides": [self.link(a) for a in own] if first.get("role") == "slide"
                        else None, "file": None if first.get("role") == "slide"
                        else self.link(first), "previews": []}
                if item["slides"]:
                    for link, a in zip(item["slides"], own, strict=True):
                        sv = views.get(str(a.get("path")))
                        link["view"] = self.href(sv) if sv else link["href"]
                    item["meta"] = " · ".join([
                        f"{first.get('width')}×{first.get('height')}", format_label(first),
                        human_size(sum(int(a.get("bytes") or 0) for a in own))])
                    for a in own:
                        pic = self.picture(thumbs.get((pid, a.get("slide")), []), shape)
                        if pic:
                            item["previews"].append(pic)
                elif not doc:
                    pic = self.picture(thumbs.get((pid, None), []), shape)
                    if pic:
                        item["previews"].append(pic)
                view = views.get(str(first.get("path")))
                item["view"] = self.href(view) if view else self.href(first)
                total = sum(int(a.get("bytes") or 0) for a in own)
                item["shareable"] = not doc and (
                    len(own) <= SHARE_MAX_FILES and total <= SHARE_MAX_BYTES)
                seen[ident] = item
                items.append(item)
            for item in items:
                item["apps_label"] = ", ".join(dict.fromkeys(item["apps"]))
            shown = next((i for i in items if i["previews"]), None)
            apps = ", ".join(dict.fromkeys(app_name(p) for p in pids))
            zip_ = zips.get(shape)
            groups.append({"key": shape, "apps": apps, "choices": items, "main": shown,
                           "zip": self.link(zip_) if zip_ else None})
        return groups

    def designs(self, full: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Every design with at least one built variant, in manifest order, by campaign.

        `full`: the design ids whose files are worked out (default: all); `fill` adds more.
        """
        raw: dict[str, dict[str, Any]] = {}
        for v in self.manifest.get("variants") or []:
            did = str(v.get("design"))
            d = raw.setdefault(did, {"id": did, "campaign": str(v.get("campaign") or "other"),
                                     "kind": str(v.get("kind") or "quote"), "raw": []})
            d["raw"].append(v)
        out = []
        for d in raw.values():
            variants = {}
            # The design's own language first, then translations in manifest order.
            complete = full is None or d["id"] in full
            for v in sorted(d["raw"], key=lambda v: not v.get("original", True)):
                card = self.variant(v, complete)
                if card is not None:
                    variants[card["lang"]] = card
            if not variants:
                continue
            out.append({"id": d["id"], "anchor": "d-" + slug(d["id"], "design"),
                        "campaign": d["campaign"], "kind": d["kind"], "variants": variants,
                        "original": next(iter(variants)), "raw": d["raw"],
                        "complete": complete})
        return out

    def fill(self, designs: Iterable[dict[str, Any]]) -> None:
        """Work out the files of designs that `designs(full=…)` gave only their words."""
        for d in designs:
            if d["complete"]:
                continue
            for v in sorted(d["raw"], key=lambda v: not v.get("original", True)):
                card = self.variant(v)
                if card is not None:
                    d["variants"][card["lang"]] = card
            d["complete"] = True


def heading_of(design: dict[str, Any], v: dict[str, Any]) -> str:
    """A quote is headed by who said it, a titled design by its title, else by its words."""
    name = (v["attribution"] or {}).get("name")
    if design["kind"] == "quote" and name:
        return str(name)
    if v["title"]:
        return str(v["title"])
    return excerpt(" ".join(v["paragraphs"]))


def pick_variant(design: dict[str, Any], lang: str) -> dict[str, Any]:
    """The variant a page in `lang` shows: that language, the same base language, else the
    design's own language."""
    variants = design["variants"]
    if lang in variants:
        return variants[lang]
    base = lang.split("-")[0]
    for code, v in variants.items():
        if code.split("-")[0] == base:
            return v
    return variants[design["original"]]
