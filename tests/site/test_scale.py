"""The pages at 2,000 designs: each document small, the DOM bounded, search.json small.

The manifest is synthetic (benchmarks/site_scale.py: the shape of a real published build,
every platform, carousels, translations, three thumbnail widths, inline views, object keys)
because rendering 2,000 designs takes most of an hour; the pages are rendered by the real
code. Lighthouse on the same pages is a benchmark (benchmarks/README.md), not a test.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from shareables.site import pages as plan
from shareables.site.page import render_pages

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("site_scale", ROOT / "benchmarks/site_scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big() -> tuple[Any, dict[str, Any], dict[str, str]]:
    bench = _bench()
    manifest = bench.synthetic_manifest(2000)
    last = f"palestine.{-(-400 // plan.PAGE_SIZE)}"
    names = ["index.html", "index.ar.html", "palestine.html", "palestine.ar.html",
             "palestine.embed.html", f"{last}.html", "search.json"]
    return bench, manifest, render_pages(manifest, lambda a: a["key"], only=names)


def test_2000_designs_give_small_pages_with_a_bounded_dom(big: Any) -> None:
    bench, manifest, pages = big
    assert len({v["design"] for v in manifest["variants"]}) == 2000
    for name, html in pages.items():
        if not name.endswith(".html"):
            continue
        m = bench.measure(html)
        assert m["gzip"] <= 60_000, (name, m)  # the target is 100 KB; keep headroom
        assert m["elements"] <= 1_800, (name, m)
    assert bench.measure(pages["index.html"])["gzip"] <= 12_000
    # A campaign page shows PAGE_SIZE cards and links to every other page of the campaign.
    page = pages["palestine.html"]
    assert page.count('<article class="card') == plan.PAGE_SIZE
    assert page.count('aria-label="Page ') == -(-400 // plan.PAGE_SIZE) * 2  # top and bottom


def test_the_search_index_for_2000_designs_is_small(big: Any) -> None:
    _, _, pages = big
    data = pages["search.json"].encode()
    assert len(gzip.compress(data, 9)) <= 80_000
    entries = json.loads(data)["designs"]
    assert len(entries) == 2000
    assert {e["p"].split(".")[0] for e in entries} == {
        "palestine", "afghanistan", "climate", "health", "peace"}
