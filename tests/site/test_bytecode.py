"""Compiled templates kept between builds (site/bytecode.py): an edited template is never
served from its old code, a damaged cache is compiled again, and the pages are the same
with the cache as without it."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from shareables.site import bytecode
from shareables.site import page as site


def env(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates),
                              bytecode_cache=bytecode.template_cache(), autoescape=True)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "templates"


def test_an_edited_template_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "page.j2").write_text("<p>old {{ x }}</p>")
    assert env(templates).get_template("page.j2").render(x=1) == "<p>old 1</p>"
    assert list(cache.rglob("*.cache"))  # compiled code stored
    (templates / "page.j2").write_text("<p>new {{ x }}</p>")  # same size, new text
    assert env(templates).get_template("page.j2").render(x=1) == "<p>new 1</p>"


def test_a_damaged_cache_is_compiled_again(tmp_path: Path, cache: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "page.j2").write_text("<p>{{ x }}</p>")
    env(templates).get_template("page.j2")
    for stored in cache.rglob("*.cache"):
        stored.write_bytes(stored.read_bytes()[:40] + b"\0garbage")
    assert env(templates).get_template("page.j2").render(x="<b>") == "<p>&lt;b&gt;</p>"


def test_the_cache_is_named_by_the_code_it_depends_on(tmp_path: Path, cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = bytecode.template_cache()
    monkeypatch.setattr(jinja2, "__version__", "0.0-other")
    other = bytecode.template_cache()
    assert isinstance(first, jinja2.FileSystemBytecodeCache)
    assert isinstance(other, jinja2.FileSystemBytecodeCache)
    assert first.directory != other.directory
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", "")
    assert bytecode.template_cache() is None  # off
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(blocker))
    assert bytecode.template_cache() is None  # not a folder: not used, no error


def test_pages_are_the_same_with_the_cache_and_without(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from fixtures_project import FakeRenderer, make_project

    from shareables.build.pipeline import build_project

    root = make_project(tmp_path / "p")
    build_project(root, renderer=FakeRenderer(), jobs=1)
    import json

    manifest = json.loads((root / "output" / "manifest.json").read_text())
    rendered = []
    for setting in ("", str(tmp_path / "cache"), str(tmp_path / "cache")):  # off, cold, warm
        monkeypatch.setenv("SHAREABLES_CACHE_DIR", setting)
        site._env.cache_clear()
        rendered.append(site.render_pages(manifest, lambda a: a["path"]))
    site._env.cache_clear()
    assert rendered[0] == rendered[1] == rendered[2]
    assert list((tmp_path / "cache" / "templates").rglob("*.cache"))
