"""The per-job digests of output files (build/reuse.py, output/.shareables/outputs.json).

A rebuild checks a job whose files are as the last build left them with a stat per file and
one digest, and the file-hash cache keeps only the inputs. A digest file that is missing,
damaged, of another format or from an older build is never trusted over the files: those
jobs are checked file by file (read and hashed), and a changed file is still rendered again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import build_fake as run
from fixtures_project import make_project

from shareables.build.keys import FileHasher
from shareables.build.manifest import by_ident
from shareables.build.pipeline import BuildResult

DARWISH = "palestine/darwish-on-this-earth"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p")


def state(project: Path, name: str) -> Any:
    """A build-state file ({} when the build had nothing to store: no hashes.json while
    every input is too recent to trust its mtime)."""
    path = project / "output" / ".shareables" / name
    return json.loads(path.read_text()) if path.exists() else {}


def manifest(project: Path) -> dict[str, Any]:
    return json.loads((project / "output" / "manifest.json").read_text())


def rendered(result: BuildResult) -> set[str]:
    return {f"{'/'.join(s['path'].split('/')[:3])} {s['platform']}" for s in result.statuses
            if s["status"] == "rendered" and s["role"] == "image"}


def hashed_outputs(project: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The manifest's files that the build reads to hash (filled in as it runs)."""
    listed = {os.fspath(project / "output" / a["path"]) for a in manifest(project)["artefacts"]}
    seen: list[str] = []
    hash_file = FileHasher._hash_file

    def spy(self: FileHasher, key: str) -> str | None:
        if key in listed:
            seen.append(key)
        return hash_file(self, key)

    monkeypatch.setattr(FileHasher, "_hash_file", spy)
    return seen


def corrupt_same_size(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_rebuild_checks_jobs_by_their_digests_and_hashes_no_output_file(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(project)
    out = project / "output"
    jobs = {f"{d} {p}" for d, p in by_ident(manifest(project))}
    assert set(state(project, "outputs.json")["jobs"]) == jobs
    listed = {os.fspath(out / a["path"]) for a in manifest(project)["artefacts"]}
    assert not listed & set(state(project, "hashes.json"))  # the digests cover them
    before = (out / "manifest.json").read_bytes()
    read = hashed_outputs(project, monkeypatch)
    again = run(project)
    assert again.rendered == 0 and read == []
    assert (out / "manifest.json").read_bytes() == before


@pytest.mark.parametrize("damage", ["missing", "not json", "other format", "wrong digests"])
def test_a_damaged_digest_file_falls_back_to_checking_each_file(
        project: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    run(project)
    out = project / "output"
    before = manifest(project)
    digests = out / ".shareables" / "outputs.json"
    jobs = state(project, "outputs.json")["jobs"]
    if damage == "missing":
        digests.unlink()
    elif damage == "not json":
        digests.write_bytes(b'{"format": 1, "jobs": {')
    elif damage == "other format":
        digests.write_text(json.dumps({"format": 99, "jobs": jobs}))
    else:
        digests.write_text(json.dumps({"format": 1, "jobs": {k: "0" * 32 for k in jobs}}))
    corrupt_same_size(out / DARWISH / "en" / "x.png")
    read = hashed_outputs(project, monkeypatch)
    again = run(project)
    assert rendered(again) == {f"{DARWISH}/en x"}  # found by reading it
    assert len(read) > len(before["artefacts"]) / 2  # the others were read and hashed
    after = manifest(project)
    assert [a["path"] for a in after["artefacts"]] == [a["path"] for a in before["artefacts"]]
    for a in after["artefacts"]:
        assert FileHasher().sha(out / a["path"]) == a["sha256"], a["path"]


def test_digests_from_an_older_build_are_not_trusted(project: Path) -> None:
    run(project)
    out = project / "output"
    older = (out / ".shareables" / "outputs.json").read_bytes()
    design = project / "designs" / f"{DARWISH}.yaml"
    design.write_text(design.read_text().replace("Its name became", "Its name was"))
    assert rendered(run(project)) >= {f"{DARWISH}/en x"}
    (out / ".shareables" / "outputs.json").write_bytes(older)
    corrupt_same_size(out / DARWISH / "en" / "x.png")  # re-rendered by the build above
    again = run(project)
    assert rendered(again) == {f"{DARWISH}/en x"}
    assert FileHasher().sha(out / DARWISH / "en" / "x.png") == next(
        a["sha256"] for a in manifest(project)["artefacts"]
        if a["path"] == f"{DARWISH}/en/x.png")


def test_files_checked_by_hashing_get_their_digests_back(project: Path) -> None:
    """After the per-file path (here: every file's mtime moved, so no digest matches), the
    files hashed and found intact get digests again, and the next rebuild uses them."""
    run(project)
    out = project / "output"
    jobs = state(project, "outputs.json")["jobs"]
    for a in manifest(project)["artefacts"]:
        st = (out / a["path"]).stat()
        os.utime(out / a["path"], ns=(st.st_atime_ns, st.st_mtime_ns - 60 * 10**9))
    assert run(project).rendered == 0
    renewed = state(project, "outputs.json")["jobs"]
    assert renewed.keys() == jobs.keys()
    assert all(renewed[k] != jobs[k] for k in jobs)  # (they name the new mtimes)
    assert run(project).rendered == 0
    assert state(project, "outputs.json")["jobs"] == renewed


def test_a_platform_build_carries_the_other_jobs_digests(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(project)
    jobs = state(project, "outputs.json")["jobs"]
    read = hashed_outputs(project, monkeypatch)
    assert run(project, platforms=["x"]).rendered == 0
    assert read == []
    assert state(project, "outputs.json")["jobs"] == jobs
    assert run(project).rendered == 0
