"""writer.py: the only code that writes into output/, and its crash-safety invariant."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from shareables.build.manifest import manifest_bytes, read_manifest
from shareables.build.manifestlines import artefact_lines, encode_reusing, unlisted
from shareables.build.writer import OutputWriter, WriterError
from shareables.errors import DesignError


def entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def seed(out: Path, files: dict[str, bytes]) -> dict[str, Any]:
    """A previous build: files on disk plus a manifest listing them."""
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    m = {"format": 1, "artefacts": [entry(p, d) for p, d in files.items()]}
    (out / "manifest.json").write_bytes(manifest_bytes(m))
    return m


def listed(out: Path) -> dict[str, str]:
    m = read_manifest(out)
    assert m is not None
    return {a["path"]: a["sha256"] for a in m["artefacts"]}


def assert_invariant(out: Path) -> None:
    for path, sha in listed(out).items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == sha, path


def test_new_paths_are_written_without_touching_the_manifest(tmp_path: Path) -> None:
    seed(tmp_path, {"a/x.png": b"old"})
    before = (tmp_path / "manifest.json").read_bytes()
    with OutputWriter(tmp_path) as w:
        w.expect_rewrites(["a/x.png"])
        w.write("a/y.png", b"new", owner="designs/a.yaml")
        w.write("a/x.png", b"old", owner="designs/a.yaml")  # same bytes: still listed, fine
        assert (tmp_path / "manifest.json").read_bytes() == before
        assert not w.unlisted
    assert [p.name for p in tmp_path.rglob("*tmp-*")] == []


def test_a_listed_path_is_unlisted_before_it_gets_new_bytes(tmp_path: Path) -> None:
    seed(tmp_path, {"a/x.png": b"old", "a/y.png": b"keep", "b/z.png": b"other"})
    with OutputWriter(tmp_path) as w:
        assert w.previous is not None
        w.expect_rewrites(["a/x.png", "a/y.png"])
        w.write("a/x.png", b"new", owner="designs/a.yaml")
        # Every path that may change left the manifest in one rewrite; the rest stays listed.
        assert listed(tmp_path).keys() == {"b/z.png"}
        assert_invariant(tmp_path)
        new = {"format": 1, "artefacts": [entry("a/x.png", b"new"), entry("a/y.png", b"keep"),
                                          entry("b/z.png", b"other")]}
        w.commit(new, sweep=True)
    assert listed(tmp_path).keys() == {"a/x.png", "a/y.png", "b/z.png"}
    assert_invariant(tmp_path)


def test_overwriting_a_listed_path_the_plan_did_not_mark_is_refused(tmp_path: Path) -> None:
    seed(tmp_path, {"a/x.png": b"old"})
    with OutputWriter(tmp_path) as w, pytest.raises(WriterError, match="refusing to overwrite"):
        w.write("a/x.png", b"new", owner="designs/a.yaml")
    assert (tmp_path / "a" / "x.png").read_bytes() == b"old"


def test_two_owners_of_one_path_is_an_error_naming_both(tmp_path: Path) -> None:
    with OutputWriter(tmp_path) as w:
        w.write("c/id/en/x.png", b"1", owner="designs/c/one.yaml")
        with pytest.raises(DesignError) as err:
            w.write("c/id/en/x.png", b"2", owner="designs/c/two.yaml")
    assert str(err.value) == (
        "designs/c/two.yaml: id: output path 'c/id/en/x.png' is also produced by "
        "designs/c/one.yaml; give one of the two designs another `id:` or `campaign:`")
    assert (tmp_path / "c" / "id" / "en" / "x.png").read_bytes() == b"1"


@pytest.mark.parametrize("bad", ["../x.png", "/etc/x", "a/../../x", "manifest.json",
                                 ".shareables/lock", "a//b.png", "a\\b.png", ""])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with OutputWriter(tmp_path) as w, pytest.raises(WriterError, match="unsafe output path"):
        w.write(bad, b"x", owner="designs/a.yaml")


def test_sweep_only_when_asked_and_only_unlisted_files(tmp_path: Path) -> None:
    seed(tmp_path, {"c/d/en/old.png": b"1", "c/d/en/keep.png": b"2"})
    (tmp_path / "index.html").write_text("<p>")
    new = {"format": 1, "artefacts": [entry("c/d/en/keep.png", b"2")]}
    with OutputWriter(tmp_path) as w:
        assert w.commit(new, sweep=False) == []
    assert (tmp_path / "c/d/en/old.png").exists()  # a failed build deletes nothing
    with OutputWriter(tmp_path) as w:
        assert w.commit(new, sweep=True) == ["c/d/en/old.png"]
    assert not (tmp_path / "c/d/en/old.png").exists()
    assert (tmp_path / "index.html").exists() and (tmp_path / ".shareables" / "lock").exists()


def test_manifest_is_written_last_after_index_and_extras(tmp_path: Path) -> None:
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/x.png", b"img", owner="designs/c/d.yaml")
        m = {"format": 1, "artefacts": [entry("c/d/en/x.png", b"img")]}
        w.commit(m, index_html="<html>", extra={"site/app.css": b"body{}"}, sweep=True)
    stamps = {p: (tmp_path / p).stat().st_mtime_ns
              for p in ("c/d/en/x.png", "index.html", "site/app.css", "manifest.json")}
    assert stamps["manifest.json"] == max(stamps.values())
    assert json.loads((tmp_path / "manifest.json").read_text()) == m
    assert (tmp_path / "site" / "app.css").exists()  # extras are kept by the sweep


def test_a_second_writer_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    with OutputWriter(tmp_path), pytest.raises(WriterError, match="another build"):
        with OutputWriter(tmp_path):
            pass
    with OutputWriter(tmp_path):  # released on exit
        pass


def test_temp_files_of_a_killed_build_are_removed_by_the_next_successful_one(
        tmp_path: Path) -> None:
    (tmp_path / ".shareables").mkdir()  # a previous build's output folder
    (tmp_path / "a").mkdir()
    leftover = tmp_path / "a" / ".x.png.tmp-12345"
    leftover.write_bytes(b"partial")
    with OutputWriter(tmp_path) as w:
        w.commit({"format": 1, "artefacts": []}, sweep=False)
    assert leftover.exists()
    with OutputWriter(tmp_path) as w:
        assert w.commit({"format": 1, "artefacts": []}, sweep=True) == ["a/.x.png.tmp-12345"]
    assert not leftover.exists() and not (tmp_path / "a").exists()


def test_unreadable_manifest_counts_as_none(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    assert read_manifest(tmp_path) is None
    with OutputWriter(tmp_path) as w:
        assert w.previous is None


@pytest.mark.parametrize("gone", [set(), {"c/1.png"}, {"c/0.png", "c/2.png"},
                                  {f"c/{i}.png" for i in range(3)}])
def test_unlisting_by_lines_equals_re_encoding(gone: set[str]) -> None:
    m = {"format": 1, "brand": {"name": "MADRE"}, "variants": [{"design": "d"}],
         "artefacts": [entry(f"c/{i}.png", bytes([i])) for i in range(3)]}
    reduced = {**m, "incomplete": True,
               "artefacts": [a for a in m["artefacts"] if a["path"] not in gone]}
    data = encode_reusing(reduced, m, manifest_bytes(m))  # what the writer's unlisting does
    assert data is not None and json.loads(data) == reduced
    assert data == manifest_bytes(reduced)
    # another layout: re-encoded in full
    assert encode_reusing(reduced, m, b'{"artefacts": []}') == manifest_bytes(reduced)


@pytest.mark.parametrize("keys", [(), ("format",), ("brand", "format", "variants"),
                                  ("zeta",), ("format", "incomplete"), ("incomplete",)])
def test_unlisting_by_splicing_the_file_equals_encoding_the_reduced_manifest(
        keys: tuple[str, ...]) -> None:
    values = {"format": 1, "brand": {"name": "MADRE"}, "variants": [{"d": "“q” 🕊️"}, {}],
              "zeta": "after incomplete", "incomplete": True}
    for n in (1, 2, 4):
        m = {"artefacts": [entry(f"c/{i}.png", bytes([i])) for i in range(n)],
             **{k: values[k] for k in keys}}
        lines = artefact_lines(manifest_bytes(m), m)
        assert lines is not None
        for r in range(n + 1):
            for gone in itertools.combinations(range(n), r):
                reduced = {**m, "incomplete": True, "artefacts": [
                    a for i, a in enumerate(m["artefacts"]) if i not in gone]}
                parts = unlisted(lines, list(gone))
                if r == n:  # nothing left: encoded instead
                    assert parts is None
                else:
                    assert parts is not None and b"".join(parts) == manifest_bytes(reduced)
    m = {"artefacts": [entry("c/0.png", b"0")], "incomplete": "?"}  # not our layout
    lines = artefact_lines(manifest_bytes(m), m)
    assert lines is not None and unlisted(lines, []) is None


def test_a_folder_with_other_files_is_never_adopted_as_output(tmp_path: Path) -> None:
    (tmp_path / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(WriterError, match="is not empty and was not made by shareables"):
        with OutputWriter(tmp_path):
            pass
    assert (tmp_path / "holiday.jpg").exists() and not (tmp_path / ".shareables").exists()


def test_encoding_reuses_unchanged_lines_and_matches_a_fresh_encoding(tmp_path: Path) -> None:
    old = seed(tmp_path, {"a/x.png": b"1", "a/y.png": b"2", "b/z.png": b"3"})
    new = {"format": 1, "artefacts": [entry("a/x.png", b"1"), entry("a/y.png", b"22"),
                                      entry("c/w.png", b"4")]}
    with OutputWriter(tmp_path) as w:  # the manifest as the writer read it, reused
        assert encode_reusing(old, w.previous, w.previous_bytes) == \
            (tmp_path / "manifest.json").read_bytes()
        assert encode_reusing(new, w.previous, w.previous_bytes) == manifest_bytes(new)
