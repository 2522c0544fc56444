"""Pages patched by replacing the changed designs' cards (site/splice.py) are exactly the
pages a full render of the new manifest gives, and every change they cannot follow is left
to rendering (None)."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shareables.site import pages as plan
from shareables.site.changed import changed_designs
from shareables.site.page import iter_pages, render_pages
from shareables.site.splice import spliced

ROOT = Path(__file__).resolve().parents[2]
Manifest = dict[str, Any]


def url(a: dict[str, Any]) -> str:
    return str(a["path"])


@pytest.fixture(scope="module")
def site() -> tuple[Manifest, dict[str, str], dict[str, Any]]:
    """70 designs in five campaigns (14 each: a second page), translations, carousels."""
    spec = importlib.util.spec_from_file_location("site_scale", ROOT / "benchmarks/site_scale.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    manifest = bench.synthetic_manifest(70)
    into: dict[str, Any] = {}
    pages = dict(iter_pages(manifest, url, into=into))
    return manifest, pages, into


def design_at(m: Manifest, campaign_place: int, kind: str | None = None) -> str:
    """A design that is `campaign_place`-th in its campaign (0: the index's cover)."""
    into: dict[str, Any] = {}
    dict(iter_pages(m, url, only=(), into=into))
    for _cid, ids in into["layout"]:
        did = ids[campaign_place]
        if kind is None or next(v["kind"] for v in m["variants"] if v["design"] == did) == kind:
            return did
    raise AssertionError("no such design")


def entries(m: Manifest, did: str, key: str = "artefacts") -> list[dict[str, Any]]:
    return [e for e in m[key] if e["design"] == did]


def caption(m: Manifest, did: str) -> None:
    for e in entries(m, did) + entries(m, did, "variants"):
        e["caption"] = "A new caption with <b>markup</b> & \"quotes\" @madrespeaks"


def words(m: Manifest, did: str) -> None:
    for v in entries(m, did, "variants"):
        v["text"] = "Other words, \u201cquoted\u201d, \u0627\u0644\u0643\u0644\u0645\u0627\u062a."
        v["title"] = v["title"] and "A new title"


def bytes_of_a_file(m: Manifest, did: str) -> None:
    image = next(a for a in entries(m, did) if a["role"] in ("image", "slide"))
    image["bytes"], image["sha256"] = 123_456, "f" * 64


def a_thumbnail_gone(m: Manifest, did: str) -> None:  # fewer entries: not one for one
    thumb = next(a for a in entries(m, did) if a["role"] == "thumbnail")
    m["artefacts"].remove(thumb)


def a_platform_gone(m: Manifest, did: str) -> None:
    pid = next(a["platform"] for a in entries(m, did) if a["role"] in ("image", "slide"))
    m["artefacts"] = [a for a in m["artefacts"]
                      if not (a["design"] == did and a["platform"] == pid)]


CHANGES: dict[str, Callable[[Manifest, str], None]] = {
    "caption": caption, "words": words, "bytes of a file": bytes_of_a_file,
    "a thumbnail gone": a_thumbnail_gone, "a platform gone": a_platform_gone,
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("place", [0, 1, 5, 12])  # the index's cover, first page and embed,
# first page, page 2
def test_replaced_cards_give_what_a_full_render_gives(site: Any, change: str, place: int
                                                      ) -> None:
    old, pages, into = site
    new = copy.deepcopy(old)
    did = design_at(old, place)
    CHANGES[change](new, did)
    got = spliced(old, new, into["layout"], into["langs"], pages.get, url)
    full = render_pages(new, url)
    assert got is not None, change
    assert {name for name in full if full[name] != pages[name]} <= set(got)
    assert {name: full[name] for name in got} == got
    assert plan.SEARCH in got and all(name in pages for name in got)
    assert len(got) <= 3 * len(into["langs"]) + 1


def test_several_designs_at_once_and_none_at_all(site: Any) -> None:
    old, pages, into = site
    new = copy.deepcopy(old)
    ids = [design_at(old, 1, "carousel"), design_at(old, 13), design_at(old, 2, "quote")]
    for did in ids:
        words(new, did)
    assert changed_designs(old, new) == set(ids)
    got = spliced(old, new, into["layout"], into["langs"], pages.get, url)
    full = render_pages(new, url)
    assert got is not None and {name: full[name] for name in got} == got
    assert {name for name in full if full[name] != pages[name]} <= set(got)
    # equal manifests, or ones differing only in what no page shows: no page
    same = copy.deepcopy(old)
    same["built_at"] = "2031-01-01T00:00:00+00:00"
    assert spliced(old, same, into["layout"], into["langs"], pages.get, url) == {}


def test_what_the_cards_alone_cannot_follow_is_left_to_rendering(site: Any) -> None:
    old, pages, into = site
    layout, langs = into["layout"], into["langs"]
    did = design_at(old, 3)

    def after(change: Callable[[Manifest], Any]) -> dict[str, str] | None:
        new = copy.deepcopy(old)
        change(new)
        return spliced(old, new, layout, langs, pages.get, url)

    # a campaign's cover on the index appearing or going
    first = design_at(old, 0)
    assert after(lambda m: m.update(artefacts=[a for a in m["artefacts"] if not (
        a["design"] == first and a["role"] == "thumbnail")])) is None
    # the site's own fields, a design gone or added, a design's languages, an origin
    assert after(lambda m: m["brand"].update(name="Another")) is None
    assert after(lambda m: m.update(variants=[v for v in m["variants"]
                                              if v["design"] != did])) is None
    assert after(lambda m: m["variants"].append(
        {**entries(m, did, "variants")[0], "design": "new-one"})) is None

    def translated(m: Manifest) -> None:
        v = entries(m, did, "variants")[0]
        other = "fr" if v["lang"] != "fr" else "de"
        m["variants"].append({**v, "lang": other, "original": False})
        m["artefacts"] += [{**a, "lang": other, "path": a["path"] + other}
                           for a in entries(m, did) if a["lang"] == v["lang"]]

    assert after(translated) is None

    def elsewhere(m: Manifest) -> None:
        thumb = next(a for a in entries(m, did) if a["role"] == "thumbnail")
        thumb["path"] = "https://cdn.example.org/t.jpg"

    assert after(elsewhere) is None  # every page's CSP allows that origin
    # pages on disk that are not what was rendered: their card is not found
    changed = copy.deepcopy(old)
    caption(changed, did)
    page = next(name for name, text in pages.items() if f'id="d-{did}"' in text)
    text = pages[page]
    start = text.rindex("<article ", 0, text.index(f' id="d-{did}" aria-labelledby'))
    for broken in ({**pages, page: text.replace(f'id="d-{did}"', 'id="d-x"')},
                   {**pages, page: text[:start] + "<div" + text[start + len("<article"):]},
                   {**pages, page: text.replace(f'id="d-{did}"', f'id="d-{did}"' * 2)},
                   {k: v for k, v in pages.items() if k != page},
                   {**pages, plan.SEARCH: pages[plan.SEARCH].replace(f'"d-{did}"', '"d-x"')}):
        assert spliced(old, changed, layout, langs, broken.get, url) is None
    changed = copy.deepcopy(old)
    bytes_of_a_file(changed, first)
    a_thumbnail_gone(changed, first)
    index = pages["index.html"].replace('<a class="campaign"', '<a  class="campaign"', 1)
    assert spliced(old, changed, layout, langs, {**pages, "index.html": index}.get, url) is None
    # a stored layout that is not one
    for bad_layout, bad_langs in ((None, langs), ([["a", "b"]], langs), (layout, []),
                                  ([[c, []] for c, _ in layout], langs),
                                  ([*layout, layout[0]], langs)):
        assert spliced(old, changed, bad_layout, bad_langs, pages.get, url) is None
