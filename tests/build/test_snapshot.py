"""snapshot.py: the manifest on disk kept parsed in output/.shareables/, trusted only for
the very bytes it was made from (a stale, damaged or foreign one is ignored)."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import build_fake as run
from fixtures_project import make_project

from shareables.build import snapshot
from shareables.build.manifest import manifest_bytes
from shareables.build.writer import OutputWriter

DESIGN = "designs/palestine/share-palestine.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", platforms=("instagram-square", "x"))


def state(out: Path) -> Path:
    return out / ".shareables" / snapshot.SNAPSHOT


def delta(out: Path) -> Path:
    return out / ".shareables" / snapshot.DELTA


def assert_snapshot_of_disk(out: Path) -> None:
    """The snapshot is the manifest on disk as json.loads reads it (key order too), and
    says where each artefact's line is."""
    data = (out / "manifest.json").read_bytes()
    loaded = snapshot.load(state(out).read_bytes(), delta(out).read_bytes(), data,
                           lambda: hashlib.sha256(data).digest())
    assert loaded is not None
    parsed, lines = loaded.manifest, loaded.lines
    assert json.dumps(parsed) == json.dumps(json.loads(data))
    assert lines is not None and len(lines) == len(parsed["artefacts"])
    for i, entry in enumerate(parsed["artefacts"]):
        line = bytes(lines.line(i))
        assert line.startswith(b"  {")
        assert json.loads(line.rstrip(b",")) == entry


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_each_build_leaves_the_snapshot_of_its_manifest_and_the_next_one_reads_it(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project / "output"
    run(project)
    assert_snapshot_of_disk(out)
    first = (out / "manifest.json").read_bytes()

    real = snapshot.parse_manifest

    def parse(data: bytes) -> dict[str, Any] | None:
        assert data != first, "parsed the manifest although its snapshot was current"
        return real(data)

    monkeypatch.setattr(snapshot, "parse_manifest", parse)
    edit(project / DESIGN, "text: ", "text: Edited. ")  # re-rendered: lines unlisted
    result = run(project)
    assert result.rendered > 0 and not result.errors
    data = (out / "manifest.json").read_bytes()
    assert data != first and data == manifest_bytes(json.loads(data))
    assert_snapshot_of_disk(out)  # made from the reused entries and the re-encoded ones
    stamps = [state(out).stat().st_mtime_ns, delta(out).stat().st_mtime_ns]
    assert run(project).rendered == 0
    assert [state(out).stat().st_mtime_ns, delta(out).stat().st_mtime_ns] == stamps


def _hand_edited(out: Path) -> None:
    """The manifest changed behind the build's back (restored, edited): same layout."""
    path = out / "manifest.json"
    m = json.loads(path.read_bytes())
    m["artefacts"][0]["caption"] = "Edited by hand"
    path.write_bytes(manifest_bytes(m))


def _flipped(file: Any) -> Any:
    def damage(out: Path) -> None:
        data = bytearray(file(out).read_bytes())
        data[-100] ^= 0x20  # inside the payload: the CRC no longer matches
        file(out).write_bytes(bytes(data))
    return damage


def _truncated(out: Path) -> None:
    state(out).write_bytes(state(out).read_bytes()[:-1000])


def _other_python(out: Path) -> None:
    data = delta(out).read_bytes()
    delta(out).write_bytes(data.replace(b"marshal", b"marshaX", 1))


def _consistent_but_stale(out: Path) -> None:
    """A well-formed snapshot (CRCs right) of another manifest's bytes."""
    data = (out / "manifest.json").read_bytes()
    m = json.loads(data)
    m["artefacts"][0]["caption"] = "Not what is on disk"
    other = manifest_bytes(m)
    base, new, _ = snapshot.dump(json.loads(other), hashlib.sha256(other).digest(), [])
    assert base is not None
    state(out).write_bytes(base)
    delta(out).write_bytes(new)


def _another_base(out: Path) -> None:
    """The delta's base replaced by another (a build killed between the two writes)."""
    m = json.loads((out / "manifest.json").read_bytes())
    m["artefacts"] = [{**a, "caption": "Another base"} for a in reversed(m["artefacts"])]
    base, _, _ = snapshot.dump(m, hashlib.sha256(b"other").digest(), [])
    assert base is not None
    state(out).write_bytes(base)


@pytest.mark.parametrize("damage", [
    _hand_edited, _flipped(state), _flipped(delta), _truncated, _other_python,
    _consistent_but_stale, _another_base, lambda out: state(out).unlink(),
    lambda out: delta(out).unlink(), lambda out: delta(out).write_bytes(b"")])
def test_a_stale_damaged_or_foreign_snapshot_is_ignored(project: Path, damage: Any) -> None:
    out = project / "output"
    run(project)
    damage(out)
    data = (out / "manifest.json").read_bytes()
    with OutputWriter(out) as w:
        assert json.dumps(w.previous) == json.dumps(json.loads(data))
    # the next build works from the manifest's JSON, and leaves a good snapshot again
    edit(project / DESIGN, "caption: ", "caption: Edited. ")
    assert not run(project).errors
    assert_snapshot_of_disk(out)
    assert json.loads((out / "manifest.json").read_bytes())["artefacts"][0]["caption"] != \
        "Not what is on disk"


def test_a_build_encoding_too_much_anew_leaves_the_snapshot_to_the_next_build(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project / "output"
    monkeypatch.setattr(snapshot, "FRESH_LIMIT", 0)
    run(project)
    assert not state(out).exists() and not delta(out).exists()
    data = (out / "manifest.json").read_bytes()
    assert run(project).rendered == 0  # nothing encoded anew: the snapshot is made now
    assert (out / "manifest.json").read_bytes() == data
    assert_snapshot_of_disk(out)


def entry(path: str, data: bytes, **more: Any) -> dict[str, Any]:
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            **more}


def commit(out: Path, m: dict[str, Any], files: dict[str, bytes]) -> None:
    with OutputWriter(out) as w:
        w.expect_rewrites(files)
        for rel, data in files.items():
            w.write(rel, data, owner="designs/a.yaml")
        w.commit(m, sweep=True, encoded=w.encode(m))


def test_the_writer_encodes_and_unlists_through_the_snapshot_s_lines(tmp_path: Path) -> None:
    files = {f"c/d/en/{i}.png": bytes([i]) for i in range(5)}
    first = {"format": 1, "brand": {"name": "MADRE"}, "variants": [{"design": "d"}],
             "artefacts": [entry(p, d, caption="Ünïcode “quotes” 🕊️") for p, d in files.items()]}
    commit(tmp_path, first, files)
    assert (tmp_path / "manifest.json").read_bytes() == manifest_bytes(first)
    assert_snapshot_of_disk(tmp_path)
    # first and last entries get new bytes, one goes, one comes, floats and nesting
    new_files = {"c/d/en/0.png": b"new0", "c/d/en/4.png": b"new4", "c/d/en/9.png": b"9"}
    second = {**first, "artefacts": [
        entry("c/d/en/0.png", b"new0", duration=2.5, poster={"a": [1, None, True]}),
        *first["artefacts"][1:3], entry("c/d/en/4.png", b"new4"), entry("c/d/en/9.png", b"9")]}
    with OutputWriter(tmp_path) as w:
        assert w._read._current  # read from the snapshot
        w.expect_rewrites(new_files)
        w.write("c/d/en/0.png", b"new0", owner="designs/a.yaml")  # unlists 0 and 4
        on_disk = (tmp_path / "manifest.json").read_bytes()
        reduced = {**first, "incomplete": True, "artefacts": first["artefacts"][1:4]}
        assert on_disk == manifest_bytes(reduced)
        for rel in ("c/d/en/4.png", "c/d/en/9.png"):
            w.write(rel, new_files[rel], owner="designs/a.yaml")
        encoded = w.encode(second)
        assert encoded == manifest_bytes(second)
        w.commit(second, sweep=True, encoded=encoded)
    assert_snapshot_of_disk(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_bytes()) == second


def test_the_writer_leaves_the_collector_as_it_was(project: Path) -> None:
    import gc

    out = project / "output"
    run(project)
    assert gc.get_freeze_count() == 0  # what a build froze is collectable again after it
    was = gc.isenabled()
    with OutputWriter(out) as w:
        data = w.previous_bytes
        assert data is not None
        assert w._read.digest(data) == hashlib.sha256(data).digest()
    assert gc.get_freeze_count() == 0 and gc.isenabled() == was


def test_encoding_from_runs_of_previous_lines_equals_a_fresh_encoding() -> None:
    """Edits of every kind (changed, equal copies, dropped, added, reordered entries, the
    last line among them): the encoding reusing runs of lines is manifest_bytes's, its line
    offsets are right, and the snapshot made of it is what json.loads reads."""
    from shareables.build.manifestlines import Lines, artefact_lines, encode

    rng = random.Random(7)

    def item(i: int, v: int = 0) -> dict[str, Any]:
        return {"path": f"c/{i:03d}.png", "sha256": f"{i}-{v}", "caption": "Ünï “q” 🕊️"}

    for _ in range(300):
        n = rng.randint(1, 12)
        data = manifest_bytes({"artefacts": [item(i) for i in range(n)], "format": 1,
                               "variants": [{"d": 1}]})
        old = json.loads(data)
        lines = artefact_lines(data, old)
        assert lines is not None
        arts = list(old["artefacts"])
        for _ in range(rng.randint(0, 4)):
            op = rng.choice("cdaeq")
            k = rng.randrange(len(arts)) if arts else None
            if op == "c" and k is not None:
                arts[k] = {**arts[k], "sha256": "new"}
            elif op == "d" and k is not None:
                arts.pop(k)
            elif op == "a":
                arts.append(item(rng.randint(0, 30), 1))
            elif op == "e" and k is not None:
                arts[k] = dict(arts[k])  # equal, another object
            elif op == "q":
                rng.shuffle(arts)
        arts = list({a["path"]: a for a in reversed(arts)}.values())[::-1]  # one per path
        new = {**old, "build_id": "b", "artefacts": arts}
        enc = encode(new, old, lines)
        assert enc.data == manifest_bytes(new)
        if arts:
            got = Lines(enc.data, enc.starts)
            assert [json.loads(bytes(got.line(i)).rstrip(b",")) for i in range(len(arts))] \
                == arts
            assert json.dumps(snapshot.as_read(enc, old["artefacts"])) == \
                json.dumps(json.loads(enc.data))


def test_an_edit_rewrites_the_delta_and_a_new_base_comes_past_rebase(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project / "output"
    run(project)
    base = state(out).read_bytes()
    for n in range(3):  # each edit: a delta on the same base, the next build reads it
        edit(project / DESIGN, "text: ", f"text: Edit {n}. ")
        assert run(project).rendered > 0
        assert state(out).read_bytes() == base
        assert_snapshot_of_disk(out)
    monkeypatch.setattr(snapshot, "REBASE", 0)
    edit(project / DESIGN, "text: ", "text: Rebased. ")
    run(project)
    assert state(out).read_bytes() != base  # the delta held entries of its own: a new base
    assert_snapshot_of_disk(out)


@pytest.mark.parametrize("edited", [False, True])
def test_a_hand_edited_manifest_that_reads_the_same_is_written_as_a_build_writes_it(
        project: Path, edited: bool) -> None:
    """manifest.json edited by hand to other bytes for the same data (a JSON escape, a space
    in a line): its lines are not the build's encoding, so none is reused, and the manifest
    (and the snapshot bound to it) is the one a build writes for that data."""
    out = project / "output"
    run(project)
    mf = out / "manifest.json"
    data = mf.read_bytes()
    assert data.count(b'"role":"') > 2
    at = data.rindex(b'"role":"', 0, data.index(b'\n ],\n'))  # the last artefact's line
    hand = data[:at] + data[at:].replace(b'"role":"', b'"r\\u006fle":"', 1) \
        .replace(b'","sha256":', b'", "sha256":', 1)
    assert json.loads(hand) == json.loads(data) and hand != data
    mf.write_bytes(hand)
    if edited:
        edit(project / DESIGN, "caption: ", "caption: Edited. ")
    assert not run(project).errors
    written = mf.read_bytes()
    assert written == manifest_bytes(json.loads(written))
    assert_snapshot_of_disk(out)
    assert not run(project).errors and mf.read_bytes() == written
