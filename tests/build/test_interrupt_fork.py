"""Ctrl+C at the worst moment: while the pool forks its render processes.

A terminal's Ctrl+C reaches the whole process group. One arriving while the build forks its
workers used to be raised inside Python's fork hooks, where it is ignored: the build went on
to the end (or, raised before the new process was listed, left it running and hung at exit).
The signal here is real and sent from the fork itself, so the moment is exact every time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtures_project import make_project

WRAPPER = """
import os, signal, sys, traceback
sent = []
def interrupt():
    if not sent and any("popen_fork" in f.filename for f in traceback.extract_stack()):
        sent.append(1)
        os.killpg(0, signal.SIGINT)  # what a terminal does on Ctrl+C
os.register_at_fork(after_in_parent=interrupt)
from shareables.cli import main
sys.argv = ["shareables", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_the_pool_forks_stops_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", ("instagram-portrait", "instagram-story", "x",
                                            "linkedin", "pinterest"))
    wrapper = tmp_path / "ctrl_c.py"
    wrapper.write_text(WRAPPER)
    proc = subprocess.Popen([sys.executable, str(wrapper), "build", "-j", "2"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, err  # click's "Aborted!" for KeyboardInterrupt
    assert "Aborted!" in err and "Traceback" not in err and "Exception ignored" not in err, err
    assert not (project / "output" / "manifest.json").exists() or "31/31" not in err
    deadline = time.monotonic() + 10  # and no render process outlives it
    while time.monotonic() < deadline and _group_alive(proc.pid):
        time.sleep(0.1)
    assert not _group_alive(proc.pid), "render processes outlived the build"


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
