"""Ctrl+C while the early render pool (pool.EarlyPool) is starting: the fork server never
gets it.

The fork server is in the terminal's process group. A signal held with pthread_sigmask (what
pool.ctrl_c_held does) is not held any more in a process started with exec, so a Ctrl+C while
the server was still importing what it preloads (the early pool starts it at the very start
of a large project's build) printed its KeyboardInterrupt traceback under the build's own
message. It is now started with SIGINT ignored, which exec keeps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtures_project import FakeRenderer, make_project

from shareables.build.pipeline import build_project

DARWISH = "designs/palestine/darwish-on-this-earth.yaml"
SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{tests!r}]
from fixtures_project import FakeRenderer
from shareables.build import early, pipeline
from shareables.build.pipeline import build_project

early.EARLY_MANIFEST_BYTES = 0
try:
    build_project(Path({root!r}), jobs=2, renderer=FakeRenderer(delay=2.0))
except KeyboardInterrupt:
    print("interrupted")
    sys.exit(130)
print("finished")
"""


def _session(sid: int) -> dict[int, str]:
    """pid -> command line of every process in session `sid`."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getsid(int(entry)) != sid:
                continue
            out[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().replace(
                b"\0", b" ").decode(errors="replace")
        except (OSError, ProcessLookupError):
            continue
    return out


def test_ctrl_c_while_the_fork_server_starts_never_reaches_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    build_project(root, jobs=1, renderer=FakeRenderer())
    text = (root / DARWISH).read_text()
    (root / DARWISH).write_text(text.replace("Its name became", "Its name was"))
    script = SCRIPT.format(tests=str(Path(__file__).resolve().parent.parent), root=str(root))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not any("forkserver" in cmd for cmd in _session(proc.pid).values()):
        assert proc.poll() is None and time.monotonic() < deadline, "no fork server started"
        time.sleep(0.002)
    time.sleep(0.1)  # the fork server is importing what it preloads
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl+C does: the whole group
    out, err = proc.communicate(timeout=60)
    assert out.split() == ["interrupted"] and proc.returncode == 130, (out, err)
    assert "KeyboardInterrupt" not in err, err
    deadline = time.monotonic() + 10
    while _session(proc.pid) and time.monotonic() < deadline:  # stopped, and reaped
        time.sleep(0.05)
    assert not _session(proc.pid)
