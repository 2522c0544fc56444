"""The design cache: a rebuild parses only changed design files, and never trusts the cache
over the file (every invalidation below must load the file again and get what a fresh load
gets)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import make_project, write_photo  # tests/ is on sys.path

from shareables.project.design import load_designs
from shareables.project.designcache import DesignCache
from shareables.project.settings import load_settings


def _plain(value: Any) -> Any:
    """Designs as comparable data (warnings are exceptions: compared by class and text)."""
    if isinstance(value, BaseException):
        return (type(value).__name__, str(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _load(root: Path, data: bytes | None) -> tuple[list[Any], list[str], DesignCache]:
    settings = load_settings(root)
    cache = DesignCache(data, settings)
    designs, errors = load_designs(root, settings, cache=cache)
    return designs, [str(e) for e in errors], cache


def _fresh(root: Path) -> tuple[list[Any], list[str]]:
    settings = load_settings(root)
    designs, errors = load_designs(root, settings)
    return _plain(designs), [str(e) for e in errors]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    # a caption too long for X: a warning that must survive the cache word for word
    quote = root / "designs/afghanistan/long-caption.yaml"
    quote.write_text("kind: quote\ntext: Long caption ahead.\nattribution: {name: A}\n"
                     f"caption: \"{'word ' * 70}@madrespeaks\"\n")
    return root


def test_second_load_parses_nothing_and_gives_the_same_designs(root: Path) -> None:
    first, errors, cache = _load(root, None)
    assert (cache.hits, cache.misses) == (0, 6) and errors == []
    second, errors2, cache2 = _load(root, cache.export())
    assert (cache2.hits, cache2.misses) == (6, 0) and not cache2.changed
    assert _plain(second) == _plain(first) == _fresh(root)[0]
    warned = [w for d in second for w in d.warnings]
    assert any("caption is too long for X" in str(w) for w in warned)
    # Variants share one theme object, as after a fresh load (the planner relies on it).
    themes = {id(v.theme) for d in second for v in d.variants if v.theme.name == "palestine"}
    assert len(themes) == 1


def test_an_edited_file_is_the_only_one_parsed_again(root: Path) -> None:
    _, _, cache = _load(root, None)
    design = root / "designs/afghanistan/gender-persecution.yaml"
    design.write_text("kind: statement\ntext: An edited statement.\n")
    designs, errors, cache2 = _load(root, cache.export())
    assert (cache2.hits, cache2.misses) == (5, 1) and cache2.changed
    edited = next(d for d in designs if d.source == design.resolve())
    assert edited.variants[0].text == "An edited statement."
    assert (_plain(designs), errors) == _fresh(root)


def test_a_theme_change_in_the_settings_reloads_every_design(root: Path) -> None:
    _, _, cache = _load(root, None)
    settings = root / "shareables.yaml"
    text = settings.read_text()
    assert "#0f3d2e" in text.lower()
    settings.write_text(re.sub("#0f3d2e", "#123456", text, flags=re.I))
    designs, _, cache2 = _load(root, cache.export())
    assert cache2.hits == 0
    palestine = [v for d in designs for v in d.variants if v.campaign == "palestine"]
    assert palestine and all(v.theme.colors.background == "#123456" for v in palestine)
    assert _plain(designs) == _fresh(root)[0]


def test_a_broken_design_is_never_cached_and_reports_the_same_errors(root: Path) -> None:
    bad = root / "designs/afghanistan/broken.yaml"
    bad.write_text("kind: quote\ntext: Hello\nattribution: {name: A}\nthem: palestine\n")
    _, errors, cache = _load(root, None)
    assert errors and all(e.startswith("designs/afghanistan/broken.yaml:4:1") for e in errors)
    _, errors2, cache2 = _load(root, cache.export())
    assert errors2 == errors == _fresh(root)[1]
    assert cache2.misses == 1  # the broken file, parsed again


def test_a_deleted_photo_is_reported_as_a_fresh_load_would(root: Path) -> None:
    _, _, cache = _load(root, None)
    data = cache.export()
    photo = root / "photos/rally.png"
    photo.unlink()
    designs, errors, cache2 = _load(root, data)
    assert cache2.misses == 1
    assert errors == _fresh(root)[1]
    assert any("defenders.yaml" in e and "file not found" in e for e in errors)
    # Back again (another picture): cached designs point at the file the path leads to.
    write_photo(photo, (10, 20, 30))
    designs, errors, _ = _load(root, data)
    assert errors == []
    assert _plain(designs) == _fresh(root)[0]


def test_a_repointed_photo_link_loads_the_design_again(root: Path) -> None:
    photos = root / "photos"
    write_photo(photos / "other.png", (1, 2, 3))
    os.rename(photos / "rally.png", photos / "first.png")
    (photos / "rally.png").symlink_to("first.png")
    _, _, cache = _load(root, None)
    (photos / "rally.png").unlink()
    (photos / "rally.png").symlink_to("other.png")
    designs, _, cache2 = _load(root, cache.export())
    assert cache2.misses == 1
    image = next(d for d in designs if d.id == "defenders").variants[0].background.image
    assert image == (photos / "other.png").resolve()


HEAD = b'{"format": 2, "key": "KEY", "shared": []}\n'


@pytest.mark.parametrize("damage", [
    b"not json", b'{"format": 2', b"[]", b'{"format": 2, "key": "KEY"}\n',
    b'{"format": 1, "key": "KEY", "shared": [], "files": {"FILE": ["SHA", [], []]}}',
    HEAD + b'["FILE"]', HEAD + b'["FILE", ["SHA", [], []]', HEAD + b'{"FILE": 1}',
    # a valid key but entries that are not what the cache writes: each is loaded afresh
    HEAD + b'["FILE", ["SHA", [], [{"c": "Popen", "f": {}}]]]',
    HEAD + b'["FILE", ["SHA", [], [{"r": 7}]]]',
    HEAD + b'["FILE", ["SHA", [], [{"c": "Design", "f": {"id": "x"}}]]]',
    HEAD + b'["FILE", ["SHA", [], [1]]]',
])
def test_a_damaged_cache_is_ignored(root: Path, damage: bytes) -> None:
    _, _, good = _load(root, None)
    head, first = good.export().split(b"\n")[:2]
    key = json.loads(head)["key"]
    file, entry = json.loads(first)
    data = (damage.replace(b"KEY", key.encode()).replace(b"FILE", file.encode())
            .replace(b"SHA", entry[0].encode()))
    designs, errors, cache = _load(root, data)
    assert (_plain(designs), errors) == _fresh(root)
    assert cache.hits == 0


def stored_files(data: bytes) -> list[str]:
    return [json.loads(line)[0] for line in data.split(b"\n")[1:] if line]


def test_removed_designs_drop_out_of_the_cache(root: Path) -> None:
    _, _, cache = _load(root, None)
    (root / "designs/afghanistan/three-things.yaml").unlink()
    _, _, cache2 = _load(root, cache.export())
    assert cache2.changed
    assert not any("three-things" in f for f in stored_files(cache2.export()))


def test_storing_after_an_edit_encodes_only_the_edited_file(root: Path) -> None:
    """One line per design file: the others' lines are stored as they were read."""
    _, _, cache = _load(root, None)
    data = cache.export()
    design = root / "designs/afghanistan/gender-persecution.yaml"
    design.write_text("kind: statement\ntext: An edited statement.\n")
    _, _, cache2 = _load(root, data)
    again = cache2.export()
    new = [line for line in again.split(b"\n") if line not in data.split(b"\n")]
    assert len(new) == 1 and b"gender-persecution.yaml" in new[0]
    designs, errors, cache3 = _load(root, again)
    assert (cache3.hits, cache3.misses) == (6, 0)
    assert (_plain(designs), errors) == _fresh(root)
