"""Identical bytes stored once in output/ (hard links) and once per zip; every path stays."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import small_scaffold

from shareables import platforms as platforms_mod
from shareables.build.pipeline import build_project
from shareables.build.writer import OutputWriter
from shareables.platforms import Insets

OWNER = "designs/a.yaml"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inode(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_dev, st.st_ino)


def assert_consistent(out: Path) -> dict[str, Any]:
    """Every file the manifest lists exists with its size and SHA-256."""
    m = json.loads((out / "manifest.json").read_text())
    for a in m["artefacts"]:
        data = (out / a["path"]).read_bytes()
        assert (len(data), sha(data)) == (a["bytes"], a["sha256"]), a["path"]
    return m


def commit(w: OutputWriter, files: dict[str, bytes]) -> None:
    w.commit({"format": 1, "artefacts": [{"path": p, "bytes": len(d), "sha256": sha(d)}
                                         for p, d in files.items()]}, sweep=True)


# -- the writer -----------------------------------------------------------------------------


def test_identical_bytes_become_one_file_under_every_path(tmp_path: Path) -> None:
    files = {"c/d/en/instagram-portrait.jpg": b"same" * 100, "c/d/en/threads.jpg": b"same" * 100,
             "c/d/en/x.png": b"other"}
    with OutputWriter(tmp_path) as w:
        for path, data in files.items():
            w.write(path, data, owner=OWNER)
        commit(w, files)
        assert w.linked == 1
    d = tmp_path / "c/d/en"
    assert inode(d / "threads.jpg") == inode(d / "instagram-portrait.jpg")
    assert inode(d / "x.png") != inode(d / "threads.jpg")
    assert {p: (tmp_path / p).read_bytes() for p in files} == files
    assert [p.name for p in tmp_path.rglob("*tmp-*")] == []
    # A later build links a new path to the file an earlier build left (listed on disk).
    more = {**files, "c/d/en/facebook.jpg": b"same" * 100}
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/facebook.jpg", more["c/d/en/facebook.jpg"], owner=OWNER)
        commit(w, more)
    assert (tmp_path / "c/d/en/facebook.jpg").stat().st_nlink == 3


def test_new_bytes_for_one_name_of_a_linked_file_leave_the_other_names_alone(
        tmp_path: Path) -> None:
    old = {"c/d/en/instagram-portrait.jpg": b"v1" * 50, "c/d/en/threads.jpg": b"v1" * 50}
    with OutputWriter(tmp_path) as w:
        for path, data in old.items():
            w.write(path, data, owner=OWNER)
        commit(w, old)
    new = {**old, "c/d/en/threads.jpg": b"v2 for threads only"}
    with OutputWriter(tmp_path) as w:
        w.expect_rewrites(["c/d/en/threads.jpg"])
        w.write("c/d/en/threads.jpg", new["c/d/en/threads.jpg"], owner=OWNER)
        # While the build runs the manifest on disk still vouches for instagram-portrait.
        assert_consistent(tmp_path)
        commit(w, new)
    assert {p: (tmp_path / p).read_bytes() for p in new} == new
    assert (tmp_path / "c/d/en/instagram-portrait.jpg").stat().st_nlink == 1
    assert_consistent(tmp_path)


def test_a_temp_file_left_as_a_link_by_a_killed_build_is_never_written_through(
        tmp_path: Path) -> None:
    """A kill between link and rename leaves `.<name>.tmp-<pid>` as a second name of a listed
    file; a later write to that temp name must make a new file, not truncate the shared one."""
    listed = {"c/d/en/instagram-portrait.jpg": b"listed bytes"}
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/instagram-portrait.jpg", listed["c/d/en/instagram-portrait.jpg"],
                owner=OWNER)
        commit(w, listed)
    stale = tmp_path / "c/d/en" / f".threads.jpg.tmp-{os.getpid()}"
    os.link(tmp_path / "c/d/en/instagram-portrait.jpg", stale)
    files = {**listed, "c/d/en/threads.jpg": b"different bytes for threads"}
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/threads.jpg", files["c/d/en/threads.jpg"], owner=OWNER)
        commit(w, files)
    assert {p: (tmp_path / p).read_bytes() for p in files} == files
    assert not stale.exists()


def test_where_links_fail_each_path_gets_a_copy(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """FAT and some network shares refuse hard links (EPERM/EXDEV): an injected refusal of
    the link(2) call, since no such filesystem can be mounted here."""
    calls = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    files = {f"c/d/en/{p}.jpg": b"same bytes" for p in ("instagram-portrait", "threads",
                                                       "facebook")}
    with OutputWriter(tmp_path) as w:
        for path, data in files.items():
            w.write(path, data, owner=OWNER)
        commit(w, files)
        assert w.linked == 0
    assert len(calls) == 1  # refused once: the rest of the build writes copies directly
    assert {p: (tmp_path / p).read_bytes() for p in files} == files
    assert len({inode(tmp_path / p) for p in files}) == 3
    assert [p.name for p in tmp_path.rglob("*tmp-*")] == []


def test_a_changed_file_is_never_a_link_source(tmp_path: Path) -> None:
    """A listed file someone edited no longer holds its manifest bytes: compared, not linked."""
    files = {"c/d/en/instagram-portrait.jpg": b"original"}
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/instagram-portrait.jpg", b"original", owner=OWNER)
        commit(w, files)
    (tmp_path / "c/d/en/instagram-portrait.jpg").write_bytes(b"edited!!")  # same size
    with OutputWriter(tmp_path) as w:
        w.write("c/d/en/threads.jpg", b"original", owner=OWNER)
        assert w.linked == 0
    assert (tmp_path / "c/d/en/threads.jpg").read_bytes() == b"original"


# -- a real build ---------------------------------------------------------------------------


SHARED = ("instagram-portrait", "threads")  # the same canvas and chrome: byte-identical JPEGs


@pytest.fixture
def shared_project(tmp_path: Path) -> Path:
    return small_scaffold(tmp_path / "p", (*SHARED, "x"))


def files_of(m: dict[str, Any], role: str = "image") -> dict[str, dict[str, Any]]:
    return {a["path"]: a for a in m["artefacts"] if a["role"] == role}


def test_a_real_build_stores_identical_platform_files_once_and_lists_every_platform(
        shared_project: Path) -> None:
    result = build_project(shared_project, jobs=1)
    assert result.errors == []
    out = shared_project / "output"
    m = assert_consistent(out)
    for d in {a["path"].rsplit("/", 1)[0] for a in files_of(m).values()}:
        portrait, threads = out / f"{d}/instagram-portrait.jpg", out / f"{d}/threads.jpg"
        assert portrait.read_bytes() == threads.read_bytes()  # what the renderer gives
        assert inode(portrait) == inode(threads)
        assert inode(out / f"{d}/x.png") != inode(portrait)
        # The page previews a shape by its first platform: only that one has thumbnails.
        assert list((out / d / "thumbs").glob("instagram-portrait.*"))
        assert not list((out / d / "thumbs").glob("threads.*"))
    platforms = {a["platform"] for a in m["artefacts"] if a["role"] == "image"}
    assert platforms == {*SHARED, "x"}  # the manifest still lists every platform
    assert all(v["platforms"] == [*SHARED, "x"] for v in m["variants"])
    # Each zip holds the shared file once, named by its shape, the README naming both apps.
    for a in (a for a in m["artefacts"] if a["role"] == "bundle"):
        with zipfile.ZipFile(out / a["path"]) as zf:
            names = zf.namelist()
            base = names[0].split("/")[0]
            readme = zf.read(f"{base}/README.txt").decode()
            if a["kind"] == "carousel":
                continue
            assert sorted(names) == [f"{base}/README.txt", f"{base}/portrait.jpg",
                                     f"{base}/x.png"]
            portrait = zf.read(f"{base}/portrait.jpg")
        d = a["path"].rsplit("/", 1)[0]
        assert portrait == (out / d / "threads.jpg").read_bytes()
        assert "portrait.jpg  (Instagram portrait, Threads)" in readme
        assert "x.png  (X (Twitter))" in readme


def test_a_rebuild_that_changes_one_platform_of_a_shared_file_keeps_the_other(
        shared_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_project(shared_project, jobs=1)
    out = shared_project / "output"
    before = {a["path"]: a["sha256"] for a in assert_consistent(out)["artefacts"]}
    # Threads gains a bottom bar to keep clear: its layout, hence its bytes, change; the
    # Instagram portrait's inputs are untouched.
    threads = platforms_mod.PLATFORMS["threads"]
    monkeypatch.setitem(platforms_mod.PLATFORMS, "threads",
                        dataclasses.replace(threads, safe=Insets(bottom=400)))
    result = build_project(shared_project, jobs=1)
    assert result.errors == []
    after = {a["path"]: a["sha256"] for a in assert_consistent(out)["artefacts"]}
    changed = {p for p in after if before.get(p) != after[p]}
    assert changed and all("/threads" in p or p.endswith(".zip") for p in changed), changed
    for p in after:
        if p.endswith("/instagram-portrait.jpg"):
            twin = out / p.replace("instagram-portrait", "threads")
            assert after[p] == before[p] and (out / p).stat().st_nlink == 1
            assert twin.read_bytes() != (out / p).read_bytes()
    for a in (a for a in result.manifest["artefacts"] if a["role"] == "bundle"
              and a["kind"] != "carousel"):
        with zipfile.ZipFile(io.BytesIO((out / a["path"]).read_bytes())) as zf:
            names = {n.split("/", 1)[1] for n in zf.namelist()}
        assert names == {"README.txt", "instagram-portrait.jpg", "threads.jpg", "x.png"}
