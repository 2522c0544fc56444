"""Builds under faults: full and read-only disks (a real tmpfs / read-only bind mount), a
real kill -9, render budgets, and files in output/ that shareables did not make."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_project import make_project

from shareables.cli import main

PY = sys.executable


def _mount(args: list[str]) -> bool:
    return subprocess.run(args, capture_output=True).returncode == 0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 kB tmpfs: room for settings-sized things, not for a build's images."""
    where = tmp_path / "disk"
    where.mkdir()
    if os.geteuid() != 0 or not _mount(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs",
                                        str(where)]):
        pytest.skip("mounting a tmpfs is not allowed on this machine (needs root)")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    src, where = tmp_path / "ro-src", tmp_path / "ro"
    src.mkdir()
    where.mkdir()
    if os.geteuid() != 0 or not _mount(["mount", "--bind", str(src), str(where)]):
        pytest.skip("bind mounts are not allowed on this machine (needs root)")
    if not _mount(["mount", "-o", "remount,bind,ro", str(where)]):
        subprocess.run(["umount", "-l", str(where)], check=False)
        pytest.skip("read-only remounts are not allowed on this machine")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def _build(project: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["build", "--project", str(project), "-j", "1", *args])
    return r.exit_code, r.output


def test_a_full_disk_gives_one_message_and_leaves_no_temp_file(tmp_path, tiny_disk) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-portrait", "x"))
    code, output = _build(project, "--output", str(tiny_disk / "out"))
    assert code == 2 and "Traceback" not in output, output
    assert "cannot write" in output and "No space left on device" in output
    leftovers = [p for p in tiny_disk.rglob("*") if ".tmp-" in p.name]
    assert leftovers == []


def test_a_read_only_output_gives_one_message(tmp_path, read_only_dir) -> None:
    project = make_project(tmp_path / "p", platforms=("x",))
    code, output = _build(project, "--output", str(read_only_dir))
    assert code == 2 and "Traceback" not in output, output
    assert "Read-only file system" in output


def test_output_that_is_not_a_folder_is_a_message(tmp_path) -> None:
    project = make_project(tmp_path / "p", platforms=("x",))
    r = CliRunner().invoke(main, ["build", "--project", str(project), "--output", "/dev/null"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert not isinstance(r.exception, OSError), r.exc_info


def test_files_shareables_did_not_make_are_kept_and_named(tmp_path) -> None:
    project = make_project(tmp_path / "p", platforms=("x",))
    assert _build(project)[0] == 0
    out = project / "output"
    gone = out / "afghanistan" / "three-things" / "en"  # the folder of a design removed below
    mine = [out / "notes.txt", out / "photos" / "me.jpg", gone / "README.md"]
    for p in mine:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("mine")
    stray = gone / "x-99.png"
    stray.write_bytes(b"a stale slide")  # the shape of something a build makes: swept
    (project / "designs/afghanistan/three-things.yaml").unlink()  # forces a sweep
    code, output = _build(project)
    assert code == 0, output
    assert all(p.read_text() == "mine" for p in mine)
    assert not stray.exists()
    assert "kept output/afghanistan/three-things/en/README.md" in output, output


SLOW_DESIGN = "kind: carousel\ntitle: Long\ntext: \"{}\"\n".format(
    ("Solidarity is something we do together, every single day and every night. " * 120)[:9000])


def test_a_render_over_its_time_budget_fails_that_design_clearly(tmp_path) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-portrait",))
    (project / "designs/afghanistan/long.yaml").write_text(SLOW_DESIGN)
    env = {**os.environ, "SHAREABLES_JOB_SECONDS": "0.3"}
    r = subprocess.run([PY, "-m", "shareables", "build", "--project", str(project), "-j", "2",
                        "designs/afghanistan/long.yaml"], cwd=project, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "long.yaml" in r.stderr and "took longer than 0.3 s" in r.stderr, r.stderr


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_killing_a_build_ends_its_render_processes(tmp_path, sig) -> None:
    project = make_project(tmp_path / "p", platforms=("instagram-portrait", "instagram-story"))
    for i in range(4):
        (project / f"designs/afghanistan/long-{i}.yaml").write_text(SLOW_DESIGN)
    proc = subprocess.Popen([PY, "-m", "shareables", "build", "--project", str(project),
                             "-j", "2"], cwd=project, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        workers = _children(proc.pid)
    assert len(workers) >= 2, "the build never started its render processes"
    time.sleep(1.0)  # let them get busy rendering
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "render processes outlived the build"



def test_a_render_over_its_memory_budget_fails_that_design_clearly(tmp_path) -> None:
    from PIL import Image

    project = make_project(tmp_path / "p", platforms=("instagram-story",))
    Image.new("RGB", (7000, 7000), (90, 40, 110)).save(project / "photos/huge.png")  # ~100 kB
    (project / "designs/afghanistan/huge.yaml").write_text(
        "kind: tag\ntext: Share it\nbackground: {image: ../../photos/huge.png}\n")
    env = {**os.environ, "SHAREABLES_JOB_MEMORY_MB": "400"}
    r = subprocess.run([PY, "-m", "shareables", "build", "--project", str(project), "-j", "2",
                        "designs/afghanistan/huge.yaml"], cwd=project, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "huge.yaml" in r.stderr and "needed more memory than the 400 MiB" in r.stderr, r.stderr
