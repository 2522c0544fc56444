"""The only code that writes into output/.

Crash-safety invariant
----------------------
**At every instant, output/manifest.json is a complete manifest, and every file it lists with
a `sha256` exists with exactly that size and SHA-256** — whether the build is running, was
killed (SIGKILL, power loss after the fsyncs below) or failed. A reader (the download page,
`publish`, the next build) can therefore always trust the manifest on disk.

How the writer keeps it:

1. Every file is written to a temporary name in the same directory (`.<name>.tmp-<pid>`),
   flushed, and renamed over its final name with `os.replace` (atomic on POSIX), so a path
   never holds a half-written file.
2. A path the on-disk manifest lists is never given *different* bytes while that manifest is
   on disk. Before the first such write the writer atomically replaces the on-disk manifest
   with a copy that no longer lists the paths the build is about to re-render ("unlist"),
   then writes. Paths not listed (new files) and identical bytes are written directly.
3. The new manifest is written last, after the data it lists is durable (one `syncfs` of
   the output filesystem, or an fsync per written file where syncfs is missing), via temp
   file + fsync + `os.replace` + fsync of the directory.
4. Files the new manifest does not list are deleted only after it is on disk, and only
   after a successful build (the caller decides; `commit(sweep=...)`).

Identical bytes are stored once. Platforms with the same canvas often get byte-identical
files (threads.jpg is instagram-portrait.jpg), and every output path stays (the layout is the
product's contract), so a file whose bytes another output file already has becomes a hard
link to it: made under a temporary name, compared byte for byte through that name, then
renamed into place like any other write. Nothing ever writes into an existing file (a temp
name is removed before it is opened), so a linked file cannot change under its other names:
a path that gets new bytes gets a new file. Where links fail (another filesystem, FAT, some
network shares) the writer writes a copy, as before.

A killed build can leave files no manifest lists (new renders, temp files). It marks
output/.shareables/pending before its first write, so the next successful build walks the
whole tree and deletes them (a build that started clean only sweeps the folders it touched).
Entries it unlisted are re-rendered by the next build because they are no longer in the
manifest — "the next build completes it". Entries with a published object `key` and no local
file (see build.py, `previous_manifest`) are the one exception to "exists locally".

Two owners (design files) claiming one output path in a build is an error naming both.
An exclusive lock (output/.shareables/lock) keeps two builds from interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DesignError, ShareablesError
from . import snapshot
from .files import atomic_write, link_copy, made_by_us, make_durable, sha256_bytes, sweep
from .manifest import MANIFEST, manifest_bytes
from .manifestlines import unlisted

INDEX = "index.html"
STATE_DIR = ".shareables"
"""Build state that is not output: the lock and the file-hash cache. Never swept."""
PENDING = "pending"
"""Marker in STATE_DIR: a build wrote into output/ and no successful sweep followed yet, so
files no manifest lists may exist. Lets a no-change rebuild skip walking the whole tree."""


__all__ = ["OutputWriter", "Written", "WriterError", "atomic_write", "made_by_us",
           "sha256_bytes"]


class WriterError(ShareablesError):
    """The output directory cannot be written (permissions, disk full, a second build)."""

    exit_code = 2


@dataclass(frozen=True)
class Written:
    """Facts about a file as written, for its manifest entry."""

    path: str
    bytes: int
    sha256: str


class OutputWriter:
    """Writes one build's files into `out_dir`, keeping the invariant in the module docstring.

    Use as a context manager (takes the build lock):

        with OutputWriter(out) as w:
            old = w.previous                       # manifest on disk, read under the lock
            w.expect_rewrites(paths_of_dirty_entries)
            w.write("camp/id/en/x.png", data, owner="designs/camp/id.yaml")
            w.commit(new_manifest, index_html=..., sweep=True)
    """

    def __init__(self, out_dir: Path, *, load: bool = True) -> None:
        self.out = Path(out_dir)
        self._load_on_enter = load  # False: the caller calls load() once it holds the lock
        self._listing: dict[str, str] | None = {}  # see _listed
        self._to_unlist: set[str] = set()
        self._unlisted: set[str] = set()  # the paths the manifest on disk no longer lists
        self._owners: dict[str, str] = {}
        self._written: list[Path] = []
        self._lock_fd: int | None = None
        self._initial: dict[str, Any] | None = None
        self._read = snapshot.Previous()  # the initial manifest's bytes, data, lines
        self._same_bytes: tuple[bytes, bool] | None = None  # (new bytes, equal to initial)
        self._pending_marked = False
        self._pending_at_start = False  # a killed or failed build may have left strays
        self._by_sha: dict[str, list[str]] | None = {}  # see _sources
        self._links = True  # False once the filesystem refused a hard link
        self.linked = 0  # files this build stored as another name of an identical file
        self.unlisted = False  # True once the on-disk manifest was replaced by a reduced copy
        self.kept_foreign: list[str] = []
        """Files in output/ the sweep left alone because shareables never makes such names."""

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> OutputWriter:
        state = self.out / STATE_DIR
        if (self.out.is_dir() and not state.is_dir() and not (self.out / MANIFEST).exists()
                and any(self.out.iterdir())):
            # The sweep deletes every file the manifest does not list: never adopt a folder
            # that has other things in it (`--output ~/Desktop` must not empty the desktop).
            raise WriterError(f"{self.out} is not empty and was not made by shareables",
                              hint="choose an empty or new output directory")
        try:
            state.mkdir(parents=True, exist_ok=True)
            fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise WriterError(f"cannot write to {self.out}: {e.strerror}",
                              hint="choose a writable --output folder (or free disk space)"
                              ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WriterError(f"another build (or a publish) is using {self.out}",
                              hint="wait for it to finish (or stop it) and run again") from None
        self._lock_fd = fd
        self._pending_at_start = (state / PENDING).exists()
        if self._load_on_enter:
            self.load()
        return self

    def load(self) -> None:
        """Read the manifest on disk (under the lock: it cannot change until we release it).

        From its snapshot when that is of these bytes (snapshot.py). Its objects live as long
        as the build, which runs with the cyclic collector paused (collector.py).
        """
        self._read = snapshot.Previous()
        try:
            self._read.read((self.out / MANIFEST).read_bytes(),
                            self.read_state(snapshot.SNAPSHOT), self.read_state(snapshot.DELTA))
        except (OSError, ValueError):
            self._read = snapshot.Previous()
        self._initial = self._read.parsed
        self._listing = None  # made when needed (a build that writes nothing needs none)
        self._by_sha = None  # made at the first write

    def _initial_entries(self) -> list[dict[str, Any]]:
        return [a for a in (self._initial or {}).get("artefacts", [])
                if isinstance(a, dict) and isinstance(a.get("path"), str)]

    @property
    def _listed(self) -> dict[str, str]:
        """path -> sha256 of every file the manifest on disk lists."""
        if self._listing is None:
            self._index()
        return self._listing  # type: ignore[return-value]

    @property
    def _sources(self) -> dict[str, list[str]]:
        """sha256 -> the paths holding those bytes (link sources), from the initial listing
        and then this build's writes."""
        if self._by_sha is None:
            self._index()
        return self._by_sha  # type: ignore[return-value]

    def _index(self) -> None:
        """The initial manifest's listing and link sources, made together in one pass when
        the build first needs either (its first rewrite, before any write)."""
        listing: dict[str, str] = {}
        by_sha: dict[str, list[str]] = {}
        for a in (self._initial or {}).get("artefacts", []):
            if a.__class__ is dict and (path := a.get("path")).__class__ is str:
                sha = listing[path] = a.get("sha256", "")
                if sha:
                    by_sha.setdefault(sha, []).append(path)
        self._listing, self._by_sha = listing, by_sha

    @property
    def previous(self) -> dict[str, Any] | None:
        """The manifest that was on disk when the build started (None: none or unreadable)."""
        return self._initial

    @property
    def previous_vouched(self) -> bool:
        """Whether the initial manifest's bytes are ones a build wrote (snapshot.Previous)."""
        return self._read.vouched

    @property
    def previous_bytes(self) -> bytes | None:
        return self._read.data

    def encode(self, manifest: dict[str, Any]) -> bytes:
        """manifest_bytes(manifest), reusing the initial manifest's line of every artefact
        whose entry is unchanged (a rebuild encodes what changed); the initial bytes
        themselves when nothing changed."""
        return self._read.encode(manifest)

    def release_bytes(self, encoded: bytes) -> None:
        """Let go of the initial manifest's bytes once `encoded`, the new manifest's, is made
        from them: `commit(encoded=encoded)` then knows whether they are the same without
        holding both."""
        before = self._read.data
        self._same_bytes = (encoded, encoded is before or encoded == before)
        self._read.release(keep=encoded)

    def __exit__(self, *exc: object) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    # -- writing ---------------------------------------------------------------------------

    def expect_rewrites(self, paths: Iterable[str]) -> None:
        """Paths listed on disk that this build may give new bytes (dirty artefacts' files).

        They are unlisted lazily, in one manifest rewrite, right before the first write that
        would otherwise break the invariant; a build that rewrites nothing rewrites no manifest.
        """
        self._to_unlist.update(p for p in paths if p in self._listed)

    def claim(self, path: str, owner: str) -> None:
        """Record that `owner` produces `path`; a second owner is an error naming both."""
        other = self._owners.setdefault(path, owner)
        if other != owner:
            raise DesignError(
                f"output path {path!r} is also produced by {other}",
                file=owner, field="id",
                hint="give one of the two designs another `id:` or `campaign:`",
            )

    def write(self, path: str, data: bytes, *, owner: str) -> Written:
        """Write one output file (relative path, '/'-separated) and return its facts."""
        _check_rel(path)
        self.claim(path, owner)
        sha = sha256_bytes(data)
        listed = self._listed.get(path)
        if listed is not None and listed != sha and path not in self._to_unlist:
            # Only entries the plan marked dirty may be rewritten; anything else would
            # mean two artefacts share a path, which claim() should have caught.
            raise WriterError(f"refusing to overwrite {path}, listed by the manifest on disk")
        if not self._pending_marked:  # before any temp file exists, so a kill leaves the mark
            atomic_write(self.out / STATE_DIR / PENDING, b"")
            self._pending_marked = True
        if listed is not None and listed != sha:
            self._unlist()
        target = self.out / path
        try:
            if not self._store_once(target, path, sha, data):
                atomic_write(target, data)
        except OSError as e:
            raise WriterError(f"cannot write {target}: {e.strerror}") from e
        self._written.append(target)
        sources = self._sources.setdefault(sha, [])
        if path in sources:
            sources.remove(path)
        sources.insert(0, path)  # this build's file first: just written, surely intact
        return Written(path, len(data), sha)

    def _store_once(self, target: Path, path: str, sha: str, data: bytes) -> bool:
        """Make `target` a hard link to an output file that has these bytes, if there is one."""
        if not self._links:
            return False
        for other in self._sources.get(sha, ()):
            if other == path:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            done = link_copy(self.out / other, target, data)
            if done is None:
                self._links = False
                return False
            if done:
                self.linked += 1
                return True
        return False

    def _unlist(self) -> None:
        """Replace the on-disk manifest by one without the paths this build may rewrite."""
        if self._initial is None:
            return
        gone = {p for p in self._to_unlist if p in self._listed} | self._unlisted
        initial = self._initial.get("artefacts", [])
        # Cut from the initial file (kept anyway, for the new manifest): its bytes without
        # the lines unlisted, written from views of it; any other layout encoded.
        lines = self._read.lines
        at = lines.index(initial) if lines is not None else {}
        data: bytes | list[bytes | memoryview] | None = None
        if lines is not None and len(at) == len(initial):  # (one line a path)
            data = unlisted(lines, sorted(at[p] for p in gone))
        if data is None:
            reduced = {**self._initial, "incomplete": True}  # readers may show fewer files
            reduced["artefacts"] = [a for a in initial if a.get("path") not in gone]
            data = manifest_bytes(reduced)
        self._write_manifest(data)
        self._unlisted = gone
        for p in gone:
            self._listed.pop(p, None)
        self.unlisted = True

    def _write_manifest(self, data: bytes | Sequence[bytes | memoryview]) -> None:
        try:
            atomic_write(self.out / MANIFEST, data, fsync=True)
        except OSError as e:
            raise WriterError(f"cannot write {self.out / MANIFEST}: {e.strerror}") from e

    def _make_durable(self) -> None:
        """Data files reach the disk before the manifest that lists them."""
        make_durable(self.out, self._written)

    # -- commit ----------------------------------------------------------------------------

    def commit(self, manifest: dict[str, Any], *, index_html: str | None = None,
               extra: dict[str, bytes] | None = None, sweep: bool,
               encoded: bytes | None = None, keep: Iterable[str] = ()) -> list[str]:
        """Write index.html and extra site files, then the manifest last; maybe sweep.

        `keep` names site files from an earlier build that stay as they are (unchanged pages).

        Every file `manifest` lists must exist with its sha256 (or carry a remote `key`).
        `encoded` is `manifest_bytes(manifest)` if the caller has it already. An unchanged
        manifest is not rewritten. Returns the paths deleted by the sweep.
        """
        for rel, data in (extra or {}).items():
            self.write(rel, data, owner="site")
        if index_html is not None:
            atomic_write(self.out / INDEX, index_html.encode())
            self._written.append(self.out / INDEX)
        data = encoded if encoded is not None else manifest_bytes(manifest)
        if self._same_bytes is not None and self._same_bytes[0] is data:
            same = self._same_bytes[1]
        else:
            same = data == self._read.data
        changed = not same or self.unlisted
        self._same_bytes = None
        if changed:
            self._make_durable()
            self._write_manifest(data)
        snap = self._read.snapshot_of_new(data, same)
        if snap is not None:  # the next build reads it instead of the JSON
            if snap[0] is not None:  # (a new base first: the delta names it)
                self.write_state(snapshot.SNAPSHOT, snap[0])
            self.write_state(snapshot.DELTA, snap[1])
        pending = self.out / STATE_DIR / PENDING
        if not sweep:  # a failed build: whatever it left unlisted waits for the next success
            if changed and not self._pending_marked:
                atomic_write(pending, b"")
            return []
        if not (changed or self._pending_marked or pending.exists()):
            return []  # nothing changed since the last successful sweep: nothing is stale
        kept = {a["path"] for a in manifest.get("artefacts", [])} | set(extra or {}) | set(keep)
        # After an interrupted or failed build strays could be anywhere: walk the whole tree.
        whole = self._pending_at_start or self._initial is None
        removed = self._sweep(kept, None if whole else self._touched(kept))
        with contextlib.suppress(OSError):
            pending.unlink()
        return removed

    def _sweep(self, keep: set[str], folders: set[Path] | None = None) -> list[str]:
        """Delete the files in `folders` (default: the whole tree) that `keep` does not list,
        then the folders this empties (a removed design's)."""
        initial: set[str] | None = None

        def ours(rel: str) -> bool:  # made by a build, or listed by the manifest on disk
            nonlocal initial
            if made_by_us(rel):
                return True
            if initial is None:
                initial = {a["path"] for a in self._initial_entries()}
            return rel in initial

        removed, foreign = sweep(self.out, keep | {MANIFEST, INDEX}, folders, skip=STATE_DIR,
                                 ours=ours)
        self.kept_foreign += foreign
        return removed

    def _touched(self, keep: set[str]) -> set[Path]:
        """Where strays can be after a build that started clean: folders it wrote into (a
        carousel that lost slides) and folders of files the old manifest listed."""
        dropped = {a["path"] for a in (self._initial or {}).get("artefacts", [])} - keep
        return {p.parent for p in self._written} | {(self.out / p).parent for p in dropped}

    def write_state(self, name: str, data: bytes) -> None:
        """Build state under output/.shareables/ (e.g. the file-hash cache)."""
        atomic_write(self.out / STATE_DIR / name, data)

    def read_state(self, name: str) -> bytes | None:
        try:
            return (self.out / STATE_DIR / name).read_bytes()
        except OSError:
            return None


def _check_rel(path: str) -> None:
    """Output paths come from allow-listed ids; refuse anything that could escape output/."""
    parts = path.split("/")
    if (not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts)
            or "\\" in path or parts[0] == STATE_DIR or path in (MANIFEST, INDEX)):
        raise WriterError(f"refusing to write unsafe output path {path!r}")
