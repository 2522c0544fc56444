"""Pages brought up to date by replacing the cards of the designs that changed.

A campaign page (and an embed) is a frame (head, Content-Security-Policy, pager, counts:
from the site-wide fields, the layout, the languages and the origins) around one card per
design it shows, and a card depends on its design's entries, the languages and its page
only. So when a rebuild changes some designs' entries but none of the rest, the pages
showing them differ from the pages on disk by those cards alone: each such page gets the
card found in it (exactly once, else the page is rendered whole) replaced by the one
rendered from the new manifest, the index the cover of a campaign whose first design it
is, and search.json those designs' entries. That
costs a few cards, where rendering the pages meant working out every design's words and
whole pages (build/pages.py; tests/site/test_splice.py compares with full renders).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from markupsafe import escape

from . import pages as plan
from .changed import PER_DESIGN, changed_designs
from .model import PageModel, campaign_name
from .page import UrlFor, card_html, cover_of, picture_html, safe_url


def spliced(old: dict[str, Any], new: dict[str, Any], layout: Any, langs: Any,
            read: Callable[[str], str | None], url_for: UrlFor) -> dict[str, str] | None:
    """The pages (name -> text) that differ between manifests `old` and `new`, made from the
    pages on disk (`read(name)`, rendered from `old` with `url_for`), whose `layout` and
    `langs` (`iter_pages(into=…)`) were `old`'s; None when that cannot be done: a site-wide
    change, the layout, languages or origins changed, or an old card or cover not found as
    expected. Then the caller renders the pages."""
    where = _places(layout, langs)
    changed = changed_designs(old, new)
    if where is None or changed is None:
        return None
    if not changed:
        return {}
    if _order(old) != _order(new):  # designs appear in order of their first variant
        return None
    before, facts_before = _designs(old, changed, url_for)
    after, facts_after = _designs(new, changed, url_for)
    if facts_before != facts_after:
        return None  # the origins every page's CSP allows, or whether any page has clips
    out: dict[str, str] = {}
    edits: list[tuple[str, dict[str, Any], dict[str, Any], bool, str]] = []
    covers: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = []
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for did in sorted(changed):
        o, n = before.get(did), after.get(did)
        if o is None and n is None:
            continue  # nothing built before or after: on no page
        if o is None or n is None or did not in where:
            return None
        cid, j = where[did]
        if not o["campaign"] == n["campaign"] == cid or set(o["variants"]) != set(n["variants"]):
            return None  # the layout or the languages
        page = plan.page_base(cid, j // plan.PAGE_SIZE + 1)
        o["page"] = n["page"] = page
        for lang in langs:
            if j == 0:  # its campaign's cover on the index
                covers.append((plan.file_name("index", lang), cid, o, n, lang))
            edits.append((plan.file_name(page, lang), o, n, j % plan.PAGE_SIZE < 2, lang))
            if j < plan.EMBED_SIZE:
                embed = plan.file_name(f"{plan.campaign_base(cid)}.embed", lang)
                edits.append((embed, o, n, j < 2, lang))
        entries[page, n["anchor"]] = plan.search_entry(n, campaign_name(cid))
    for name, o, n, eager, lang in edits:
        text = out.get(name) or read(name)
        span = _card_at(text, o["anchor"]) if text is not None else None
        card = card_html(plan.card(n, lang, langs), lang, eager)
        if span is None or _card_at(card, n["anchor"]) != (0, len(card)):
            return None
        out[name] = text[:span[0]] + card + text[span[1]:]  # type: ignore[index]
    order = {c[0]: i for i, c in enumerate(layout)}
    for name, cid, o, n, lang in covers:
        text = out.get(name) or read(name)
        text = _cover_replaced(text, cid, order[cid] < 2, [
            cover_of(plan.card(d, lang, langs)) for d in (o, n)], lang) if text else None
        if text is None:
            return None
        out[name] = text
    search = read(plan.SEARCH)
    for (page, anchor), entry in entries.items():
        search = _entry_replaced(search, page, anchor, entry) if search is not None else None
    if search is None:
        return None
    out[plan.SEARCH] = search
    return out


_END = "</article>\n"


def _card_at(text: str, anchor: str) -> tuple[int, int] | None:
    """Where the card of the design with this anchor is in a page: from its ``<article`` to
    its ``</article>`` and newline, as the card macro writes it (None: not exactly once).
    Everything from the manifest is escaped, so no ``<`` in a card is anything else's."""
    head = f' id="{anchor}" aria-labelledby="{anchor}-h"'
    at = text.find(head)
    if at < 0 or text.find(head, at + 1) >= 0:
        return None
    start = text.rfind("<article ", 0, at)
    end = text.find(_END, at)
    if start < 0 or end < 0 or text.find("<", start + 1, at) >= 0:
        return None
    return start, end + len(_END)


def _cover_replaced(text: str, cid: str, eager: bool, covers: list[dict[str, Any] | None],
                    lang: str) -> str | None:
    """An index page with campaign `cid`'s cover picture replaced (None: not found exactly
    once, or a cover appearing or going: rendered then)."""
    was, now = covers
    if was is None or now is None:
        return None if was is not now else text
    href = escape(plan.file_name(plan.campaign_base(cid), lang))
    head = f'<li><a class="campaign" href="{href}">'
    at = text.find(head)
    if at < 0 or text.find(head, at + 1) >= 0:
        return None
    old = head + picture_html(was, eager)
    if not text.startswith(old, at):
        return None
    return text[:at] + head + picture_html(now, eager) + text[at + len(old):]


def _places(layout: Any, langs: Any) -> dict[str, tuple[str, int]] | None:
    """Each design's campaign and place in it, from a stored layout (None: not one)."""
    if not (isinstance(langs, list) and langs and all(isinstance(x, str) for x in langs)
            and isinstance(layout, list)):
        return None
    out: dict[str, tuple[str, int]] = {}
    for c in layout:
        if not (isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                and isinstance(c[1], list) and c[1]):
            return None
        for j, did in enumerate(c[1]):
            if not isinstance(did, str) or did in out:
                return None
            out[did] = (c[0], j)
    return out


def _order(m: dict[str, Any]) -> list[Any]:
    return list(dict.fromkeys(str(v.get("design")) for v in m.get("variants") or []))


def _designs(m: dict[str, Any], ids: Collection[str], url_for: UrlFor
             ) -> tuple[dict[str, dict[str, Any]], tuple[Any, ...]]:
    """The designs `ids` of manifest `m` as the pages show them (those with a file to offer),
    and the origins and clips they bring to every page."""
    part = {"brand": m.get("brand"), **{key: [e for e in m.get(key) or []
                                              if e.get("design") in ids] for key in PER_DESIGN}}
    model = PageModel(part, lambda a: safe_url(url_for(a)), url_for)
    designs = {d["id"]: d for d in model.designs()}
    return designs, (model.img_origins, model.media_origins, model.has_clips)


def _entry_replaced(text: str, page: str, anchor: str, entry: dict[str, Any]) -> str | None:
    """search.json's text with the entry of the design at `page`, `anchor` replaced (None:
    not there exactly once). Entries are written ``{"p":…,"a":…,…}`` one after another; in
    JSON text a ``"`` inside a string is escaped, so ``},{"p":"`` only ever ends an entry."""
    head = "{" + plan.search_text_of({"p": page, "a": anchor})[1:-1] + ","
    at = text.find(head)
    if at < 0 or text.find(head, at + 1) >= 0 or not text.endswith("}]}"):
        return None
    end = text.find('},{"p":"', at)
    end = len(text) - 2 if end < 0 else end + 1
    return text[:at] + plan.search_text_of(entry) + text[end:]
