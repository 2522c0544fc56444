"""Which pages the site has, what each shows, and the search index.

- ``index[.<lang>].html``: the campaigns, with search over every design.
- ``<campaign>[.<n>][.<lang>].html``: one campaign, ``PAGE_SIZE`` designs a page, so a page
  stays small however many designs the project has.
- ``<campaign>.embed[.<lang>].html``: a compact view for an iframe on another site.
- ``search.json``: a small index (heading, words, tags, languages, link) for the search box.

English pages carry no language suffix; every other language any variant is in gets its own
set of pages (the page's words from the catalogue, its designs in that language where they
exist), linked to each other with ``hreflang``. Campaign ids are ``[a-z0-9-]`` and language
codes never start with a digit, so names never collide; a campaign called ``index`` is
renamed. All pages sit next to each other so object keys stay relative links.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from .i18n import DEFAULT, ui_language
from .model import campaign_name, excerpt, heading_of, language_name, pick_variant

PAGE_SIZE = 12
"""Designs per campaign page: a card is about a phone screen, so a dozen screens a page."""
EMBED_SIZE = 12
SEARCH_TEXT = 80
"""Characters of each variant's text kept in search.json (enough to find it by its words)."""
_TAGS = re.compile(r"[#@][\w]+")


def file_name(base: str, lang: str) -> str:
    return f"{base}.html" if lang == DEFAULT else f"{base}.{lang}.html"


def campaign_base(campaign: str) -> str:
    return "campaign-index" if campaign == "index" else campaign


def page_base(campaign: str, n: int) -> str:
    return campaign_base(campaign) if n == 1 else f"{campaign_base(campaign)}.{n}"


def page_languages(designs: Iterable[dict[str, Any]]) -> list[str]:
    """English first, then every language a variant is in."""
    langs = {lang for d in designs for lang in d["variants"]}
    return [DEFAULT] + sorted(langs - {DEFAULT})


def campaigns_of(designs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Campaigns in order of first appearance, each with its designs split into pages."""
    by: dict[str, list[dict[str, Any]]] = {}
    for d in designs:
        by.setdefault(d["campaign"], []).append(d)
    out = []
    for cid, ds in by.items():
        pages = [ds[i:i + PAGE_SIZE] for i in range(0, len(ds), PAGE_SIZE)]
        for n, page in enumerate(pages, 1):
            for d in page:
                d["page"] = page_base(cid, n)
        out.append({"id": cid, "name": campaign_name(cid), "designs": ds, "pages": pages,
                    "base": campaign_base(cid), "embed": f"{campaign_base(cid)}.embed"})
    return out


def layout_of(campaigns: list[dict[str, Any]]) -> list[list[Any]]:
    """Each campaign's id and its designs' ids in order: with the languages, what decides
    which pages there are and what each shows (`splice.py` keeps it between builds)."""
    return [[c["id"], [d["id"] for d in c["designs"]]] for c in campaigns]


SEARCH = "search.json"


def page_contents(campaigns: list[dict[str, Any]], langs: list[str]
                  ) -> Iterator[tuple[str, list[str]]]:
    """Every page's name with the ids of the designs it shows files of (covers on the index).

    search.json is not listed: it holds the words of every design."""
    for lang in langs:
        yield file_name("index", lang), [c["designs"][0]["id"] for c in campaigns]
        for c in campaigns:
            for n, chunk in enumerate(c["pages"], 1):
                yield file_name(page_base(c["id"], n), lang), [d["id"] for d in chunk]
            yield file_name(c["embed"], lang), [d["id"] for d in c["designs"][:EMBED_SIZE]]


def pages_showing(campaigns: list[dict[str, Any]], langs: list[str], ids: set[str]
                  ) -> set[str]:
    """The pages a change to the designs `ids` can change (search.json whenever any)."""
    out = {name for name, shown in page_contents(campaigns, langs) if ids.intersection(shown)}
    return out | {SEARCH} if ids else out


def card(d: dict[str, Any], lang: str, langs: list[str]) -> dict[str, Any]:
    """What one card on a page in `lang` shows: the variant, its heading, other languages."""
    v = pick_variant(d, lang)
    others = [{"lang": code, "name": language_name(code),
               "href": f"{file_name(d['page'], code if code in langs else DEFAULT)}#{d['anchor']}"}
              for code in d["variants"] if code != v["lang"]]
    main = next((g for g in v["groups"] if g["main"]), None)
    return {"d": d, "v": v, "heading": heading_of(d, v), "others": others, "main": main}


def fold(text: str) -> str:
    """Lowercase without accents or Arabic/Hebrew vowel marks: what the search compares."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_index(campaigns: list[dict[str, Any]]) -> str:
    """search.json: one short entry per design (page, anchor, campaign, heading, folded
    words); no image URLs, which would be most of its bytes."""
    return search_text([search_entry(d, c["name"]) for c in campaigns for d in c["designs"]])


def search_text(entries: list[dict[str, Any]]) -> str:
    return search_text_of({"format": 1, "designs": entries})


def search_text_of(data: Any) -> str:
    """JSON as search.json writes it (compact, UTF-8 as is)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def search_entry(d: dict[str, Any], campaign: str) -> dict[str, Any]:
    """One design's entry in search.json (`campaign`: its campaign's name)."""
    words, headings = [], {}
    for lang, v in d["variants"].items():
        headings[lang] = heading_of(d, v)
        words += [headings[lang], excerpt(" ".join(v["paragraphs"]), SEARCH_TEXT),
                  " ".join(_TAGS.findall(v["caption"]))]
        if v["attribution"] and v["attribution"].get("name"):
            words.append(str(v["attribution"]["name"]))
    heading = headings[d["original"]]
    return {
        "p": d["page"], "a": d["anchor"], "c": campaign, "k": d["kind"],
        # Headings in other languages only where they differ (most are names).
        "h": {d["original"]: heading, **{k: h for k, h in headings.items() if h != heading}},
        "q": fold(" ".join(dict.fromkeys(w for w in words if w))),
    }


def alternates(base: str, langs: list[str]) -> list[dict[str, str]]:
    return [{"lang": lang, "name": language_name(lang), "href": file_name(base, lang),
             "ui": ui_language(lang)} for lang in langs]
