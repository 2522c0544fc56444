"""`shareables serve`: preview output/ on 127.0.0.1 and rebuild when a design is saved.

Like ``mkdocs serve``: a plain ``http.server`` over output/, a thread that polls the mtimes of
designs/, shareables.yaml and the files they use (no inotify dependency; a few hundred stat
calls every half second cost nothing), and a page that reloads itself after each rebuild.

The page served at ``/`` is rendered on each request from output/manifest.json with
``live_reload`` set, so only the preview polls ``/__shareables/version`` (its CSP allows that
one ``connect-src 'self'``); the index.html the build writes, and the published page, never
poll. The rebuild is an injected callable, so this module knows nothing about building.
"""

from __future__ import annotations

import errno
import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import ErrorList, ShareablesError

VERSION_PATH = "/__shareables/version"
"""The endpoint the preview page polls; its body changes after every rebuild."""

Rebuild = Callable[[], Sequence[str]]
"""Runs a build and returns the problems to show (``file:line:col: field: message``)."""

WATCHED_DIRS = ("designs", "brand", "fonts", "photos")
WATCHED_FILES = ("shareables.yaml",)


def snapshot(project_dir: Path, extra: Iterable[Path] = ()) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every watched file; a changed dict means "rebuild"."""
    seen: dict[str, tuple[int, int]] = {}
    paths: list[Path] = [project_dir / f for f in WATCHED_FILES]
    for d in WATCHED_DIRS:
        root = project_dir / d
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [n for n in dirnames if not n.startswith(".")]
                # Editors' swap and backup files change on every keystroke: not a save.
                paths.extend(Path(dirpath) / n for n in filenames
                             if not n.startswith((".", "#")) and not n.endswith("~"))
    paths.extend(extra)
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        seen[str(p)] = (st.st_mtime_ns, st.st_size)
    return seen


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from output/, plus the live index page and the version endpoint."""

    preview: Preview  # set on the subclass made per server

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".zip": "application/zip", ".webp": "image/webp", ".pdf": "application/pdf",
        ".json": "application/json", ".html": "text/html; charset=utf-8",
    }

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if not self._host_allowed():
            # DNS rebinding: a web page on evil.example resolving to 127.0.0.1 must not read
            # the preview. Only the names this server is reached by locally are answered.
            self._send(421, b"unknown Host\n", "text/plain; charset=utf-8")
        elif path == VERSION_PATH:
            self._send(200, self.preview.version.encode(), "text/plain; charset=utf-8")
        elif path == "/" or (path.endswith(".html") and "/" not in path[1:]):
            # Every page is rendered live (with live reload), not just the index.
            page = self.preview.page(path[1:] or "index.html")
            if page is None:
                self._send(404, b"no such page", "text/plain; charset=utf-8")
            else:
                self._send(200, page.encode(), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        if not self._host_allowed():
            self._send(421, b"", "text/plain; charset=utf-8")
            return
        super().do_HEAD()

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.preview.httpd.server_address[1]
        return host in {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def translate_path(self, path: str) -> str:
        """Only files really inside output/: a symlink out of it answers 404."""
        full = super().translate_path(path)
        root = os.path.realpath(self.directory)
        real = os.path.realpath(full)
        if real != root and not real.startswith(root + os.sep):
            return os.path.join(root, ".shareables", "no-such-file")
        parts = os.path.relpath(real, root).split(os.sep)
        if parts[0] == ".shareables":  # build state is not part of the preview
            return os.path.join(root, ".shareables", "no-such-file")
        return full

    def end_headers(self) -> None:
        # A preview must never show a stale image after a rebuild.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the terminal shows rebuilds and problems, not every thumbnail request


class Preview:
    """A preview server over ``output_dir`` with an optional watcher that calls ``rebuild``."""

    def __init__(
        self,
        output_dir: Path,
        *,
        project_dir: Path | None = None,
        rebuild: Rebuild | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        interval: float = 0.5,
        log: Callable[[str], None] = print,
        any_free: bool = False,
    ) -> None:
        """`any_free`: when `port` is taken, listen on a free one instead (and say so)."""
        self.output_dir = Path(output_dir)
        self.project_dir = project_dir
        self.rebuild = rebuild
        self.interval = interval
        self.log = log
        self.problems: list[str] = []
        self.builds = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        handler = type("Handler", (_Handler,), {"preview": self})
        serve = partial(handler, directory=str(self.output_dir))
        try:
            self.httpd = http.server.ThreadingHTTPServer((host, port), serve)
        except OSError as e:
            if not (any_free and e.errno == errno.EADDRINUSE):
                raise ShareablesError(f"cannot listen on {host}:{port} ({e.strerror})",
                                      hint="choose another port with --port") from None
            self.httpd = http.server.ThreadingHTTPServer((host, 0), serve)
            log(f"port {port} is busy (another preview or program uses it); using port "
                f"{self.httpd.server_address[1]} instead")
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def version(self) -> str:
        """Changes after every rebuild (and when output/manifest.json changes on disk)."""
        try:
            st = (self.output_dir / "manifest.json").stat()
            stamp = f"{st.st_mtime_ns}-{st.st_size}"
        except OSError:
            stamp = "none"
        return f"{self.builds}-{stamp}"

    def page(self, name: str = "index.html") -> str | None:
        """One page (default the index) with live reload and the latest build problems on
        the index; None when the site has no page of that name."""
        from ..site.page import render_pages

        # The version first: if the manifest changes while this renders, the page is older
        # than its version says and the next poll reloads it (never the other way round).
        with self._lock:
            problems = list(self.problems)
            version = self.version
        empty = {"format": 1, "variants": [], "artefacts": []}
        try:
            manifest = json.loads((self.output_dir / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            manifest = empty
        live = f"{VERSION_PATH}?since={quote(version)}"
        try:
            return render_pages(manifest if isinstance(manifest, dict) else empty,
                                lambda a: str(a["path"]), live_reload=live, problems=problems,
                                only=name).get(name)
        except Exception as e:  # noqa: BLE001 - a damaged manifest must not drop the page
            problems.append(f"output/manifest.json is damaged ({type(e).__name__}); "
                            f"rebuild with `shareables build`")
            return render_pages(empty, lambda a: str(a["path"]), live_reload=live,
                                problems=problems, only=name).get(name)

    def run_rebuild(self) -> None:
        """Build once, keep its problems for the page, and bump the version (page reloads)."""
        if self.rebuild is None:
            return
        started = time.monotonic()
        try:
            problems = [str(p) for p in self.rebuild()]
        except ShareablesError as e:
            problems = [str(e)]
        except ErrorList as e:  # a broken shareables.yaml: every problem, as the CLI shows it
            problems = [str(x) for x in e.errors]
        except Exception as e:  # noqa: BLE001 - a preview must survive any bad save
            problems = [f"build crashed: {type(e).__name__}: {e}"]
        with self._lock:
            self.problems = problems
            self.builds += 1
        took = time.monotonic() - started
        note = f"; {len(problems)} problem(s):" if problems else ""
        self.log(f"rebuilt in {took:.1f} s{note}")
        for p in problems:
            self.log(f"  {p}")

    def _watch(self) -> None:
        assert self.project_dir is not None
        before = snapshot(self.project_dir)
        while not self._stop.wait(self.interval):
            now = snapshot(self.project_dir)
            if now != before:
                # Saves often come as several writes: wait until the files hold still.
                time.sleep(min(self.interval, 0.2))
                now = snapshot(self.project_dir)
                changed = sorted(k for k in {*now, *before} if now.get(k) != before.get(k))
                shown = ", ".join(os.path.relpath(c, self.project_dir) for c in changed[:3])
                self.log(f"changed: {shown}{' …' if len(changed) > 3 else ''}")
                # Taken before the build: a save during the build triggers another one.
                before = now
                self.run_rebuild()

    def start(self) -> str:
        """Serve (and watch, when a project and a rebuild are given) in background threads."""
        serve = threading.Thread(target=self.httpd.serve_forever, name="preview-http",
                                 daemon=True)
        serve.start()
        self._threads.append(serve)
        if self.project_dir is not None and self.rebuild is not None:
            watch = threading.Thread(target=self._watch, name="preview-watch", daemon=True)
            watch.start()
            self._threads.append(watch)
        return self.url

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_rebuilder(project_dir: Path, output_dir: Path | None = None, **options: Any) -> Rebuild:
    """The rebuild `shareables serve` uses: an incremental build of the whole project."""

    def rebuild() -> list[str]:
        from ..build.pipeline import build_project

        result = build_project(project_dir, output_dir=output_dir, **options)
        return [str(e) for e in result.errors]

    return rebuild
