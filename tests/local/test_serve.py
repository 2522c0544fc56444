"""`shareables serve`: the preview server, the watcher, live reload, and the command."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shareables import cli
from shareables.errors import ShareablesError
from shareables.local.serve import VERSION_PATH, Preview, build_rebuilder, snapshot


def get(url: str) -> tuple[int, Any, bytes]:
    """Status, headers (case-insensitive) and body."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def touch(path: Path, text: str) -> None:
    """Write and move the mtime forward: two saves in one clock tick must still differ."""
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_snapshot_sees_saves_new_and_deleted_files_but_not_editor_swap_files(
        tmp_path: Path) -> None:
    (tmp_path / "designs" / "p").mkdir(parents=True)
    design = tmp_path / "designs" / "p" / "a.yaml"
    touch(design, "kind: tag\n")
    (tmp_path / "shareables.yaml").write_text("brand: {}\n")
    first = snapshot(tmp_path)
    assert str(design) in first and str(tmp_path / "shareables.yaml") in first
    assert snapshot(tmp_path) == first
    for junk in (".a.yaml.swp", "a.yaml~", "#a.yaml#"):
        (design.parent / junk).write_text("x")
    assert snapshot(tmp_path) == first
    touch(design, "kind: tag\ntext: hi\n")
    second = snapshot(tmp_path)
    assert second != first
    (design.parent / "b.yaml").write_text("kind: tag\n")
    assert set(snapshot(tmp_path)) - set(second) == {str(design.parent / "b.yaml")}
    design.unlink()
    assert str(design) not in snapshot(tmp_path)


def test_preview_serves_output_with_the_live_page_and_version(fresh_output: Path) -> None:
    with Preview(fresh_output, port=0) as preview:
        assert preview.url.startswith("http://127.0.0.1:")
        status, headers, body = get(preview.url)
        html = body.decode()
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        version = get(preview.url + VERSION_PATH.lstrip("/"))[2].decode()
        assert f'data-live-reload="{VERSION_PATH}?since={version}"' in html
        assert "connect-src &#39;self&#39;" in html  # only the preview may poll
        assert "data-live-reload=" not in (fresh_output / "index.html").read_text()
        status, headers, body = get(preview.url + VERSION_PATH.lstrip("/"))
        assert status == 200 and body and headers["Cache-Control"] == "no-store"
        status, headers, _ = get(preview.url
                                 + "palestine/darwish-palestine/ar/instagram-story.png")
        assert status == 200 and headers["Content-Type"] == "image/png"
        # Nothing outside output/ is reachable, however the path is spelt.
        (fresh_output.parent / "secret.txt").write_text("not for the preview")
        host, port = preview.httpd.server_address[:2]
        for raw in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", raw)
            r = conn.getresponse()
            assert r.status == 404 and b"not for the preview" not in r.read(), raw
            conn.close()


def test_a_busy_port_is_a_clear_error(fresh_output: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ShareablesError, match=f"127.0.0.1:{port}") as exc:
            Preview(fresh_output, port=port)
        assert exc.value.hint and "--port" in exc.value.hint


def test_a_save_rebuilds_and_the_version_changes(tmp_path: Path, fresh_output: Path) -> None:
    project = tmp_path / "project"
    (project / "designs").mkdir(parents=True)
    design = project / "designs" / "a.yaml"
    touch(design, "kind: tag\n")
    calls: list[str] = []

    def rebuild() -> list[str]:
        calls.append(design.read_text())
        return ["designs/a.yaml:2:1: text: too long; cut 12 characters"] if "long" in calls[-1] \
            else []

    logs: list[str] = []
    with Preview(fresh_output, project_dir=project, rebuild=rebuild, port=0, interval=0.05,
                 log=logs.append) as preview:
        v0 = get(preview.url + VERSION_PATH.lstrip("/"))[2]
        time.sleep(0.2)
        assert calls == []  # nothing saved, nothing built
        touch(design, "kind: tag\ntext: long\n")
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        assert calls == ["kind: tag\ntext: long\n"]
        assert get(preview.url + VERSION_PATH.lstrip("/"))[2] != v0
        page = get(preview.url)[2].decode()
        assert "designs/a.yaml:2:1: text: too long; cut 12 characters" in page
        assert any("changed: designs/a.yaml" in m for m in logs)


def test_a_crashing_rebuild_keeps_the_preview_alive(fresh_output: Path) -> None:
    def rebuild() -> list[str]:
        raise RuntimeError("boom")

    with Preview(fresh_output, rebuild=rebuild, port=0, log=lambda m: None) as preview:
        preview.run_rebuild()
        assert preview.problems == ["build crashed: RuntimeError: boom"]
        assert get(preview.url)[0] == 200


@pytest.mark.browser
def test_the_open_page_reloads_after_a_real_rebuild(
        tmp_path: Path, built_site: Path, new_page: Any) -> None:
    """Edit a design of a real project: the build runs and the page in Chromium updates."""
    project = tmp_path / "project"
    shutil.copytree(built_site.parent, project)
    out = project / "output"
    design = project / "designs" / "palestine" / "darwish-on-this-earth.yaml"
    with Preview(out, project_dir=project, rebuild=build_rebuilder(project, jobs=1), port=0,
                 interval=0.1, log=lambda m: None) as preview:
        page = new_page()
        page.goto(preview.url.rstrip("/") + "/palestine.html")
        page.wait_for_selector("#d-darwish-on-this-earth")
        text = design.read_text()
        # The page's own poller reloads it (the test only waits for that navigation).
        with page.expect_navigation(timeout=30_000):
            touch(design, text.replace("It was called Palestine.",
                                       "It was still called Palestine."))
        page.wait_for_selector("text=It was still called Palestine.")
        assert page.console_errors == []
        manifest = json.loads((out / "manifest.json").read_text())
        assert any("still called" in (v["text"] or "") for v in manifest["variants"])


def test_cli_serve_reports_a_busy_port_as_a_usage_error(tmp_path: Path) -> None:
    from fixtures_project import make_project

    project = make_project(tmp_path / "project")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = CliRunner().invoke(cli.main, ["serve", "--project", str(project), "--port",
                                          str(port), "--no-build"])
    assert r.exit_code == 2, r.output
    assert f"127.0.0.1:{port}" in r.output and "--port" in r.output


def test_cli_serve_runs_until_interrupted(tmp_path: Path, fresh_output: Path) -> None:
    """The real command in a subprocess: prints its URL, serves the page, Ctrl+C exits 0."""
    import signal
    import subprocess
    import sys

    from fixtures_project import make_project

    project = make_project(tmp_path / "project")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("shareables")), "serve", "--project", str(project),
         "--port", "0", "--output", str(fresh_output), "--no-build"],
        stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.startswith(f"Serving {fresh_output} at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        status, _, body = get(url)
        assert status == 200 and b"data-live-reload" in body
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=10)[1]
    assert proc.returncode == 0, out
    assert "stopped" in out
