"""File primitives of the writer (writer.py): atomic writes, hard-link copies, durability,
and the sweep of files no manifest lists.

Every write goes to a temporary name in the target's directory and is renamed over the final
name, so a path never holds a half-written file, and an existing file is never written into:
that is what makes it safe for two output paths to be one file (hard links).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

TMP_MARK = ".tmp-"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse O_RDONLY fsync on dirs
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _load_syncfs() -> Any:
    try:  # libc is already in the process: no find_library (it runs ldconfig each call)
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    return fn


SYNCFS = _load_syncfs()


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")


def link_copy(source: Path, path: Path, data: bytes) -> bool | None:
    """Make `path` another name of `source` if it holds exactly `data` (temp link + rename).

    True: linked (or `path` already was that file); False: `source` is missing or holds other
    bytes; None: this filesystem refuses hard links (the caller writes a copy).
    """
    tmp = _tmp_name(path)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp, follow_symlinks=False)
    except FileNotFoundError:
        return False
    except OSError:
        return None  # EXDEV, EPERM, EMLINK, ENOTSUP...: links are not for this file
    try:
        # Compare through the new name: it is the very file that will be installed.
        fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            same = st.st_size == len(data) and f.read(len(data) + 1) == data
        if same:
            try:
                already = os.path.samestat(st, os.stat(path, follow_symlinks=False))
            except FileNotFoundError:
                already = False
            if not already:  # (rename() of two names of one file does nothing)
                os.replace(tmp, path)
                return True
        tmp.unlink()
        return same
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write(path: Path, data: bytes | Sequence[bytes | memoryview], *,
                 fsync: bool = False) -> None:
    """Write `data` (or its pieces, in order) to `path` via a temp file in the same
    directory and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    f: IO[bytes]
    try:
        # A temp file a killed build left may be a hard link to an output file: opening it
        # for writing would change that file, so it is removed and created anew ("x").
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with open(tmp, "xb") as f:
            if isinstance(data, bytes):
                f.write(data)
            else:  # (large pieces go to the file as they are, not through the buffer)
                for piece in data:
                    f.write(piece)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # a full disk must not also leave a temp file
            tmp.unlink()
        raise
    if fsync:
        _fsync_dir(path.parent)


def make_durable(root: Path, written: list[Path]) -> None:
    """Files written under `root` reach the disk (one syncfs of its filesystem, or an fsync
    per file where syncfs is missing)."""
    if not written:
        return
    if SYNCFS is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for p in written:
        with contextlib.suppress(OSError), open(p, "rb") as f:
            os.fsync(f.fileno())


# --------------------------------------------------------------------------- sweeping

_OURS = re.compile(
    r"(?:[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*/[A-Za-z0-9-]+/"  # campaign/design/lang/
    r"(?:thumbs/)?[a-z0-9][a-z0-9.-]*\.(?:png|jpg|jpeg|webp|pdf|zip))"
    r"|(?:site/og\.(?:png|jpg|jpeg))"
)


def made_by_us(rel: str) -> bool:
    """Whether a path has the shape of something a build writes (output_path, bundles, the
    site image, temp files): only those are swept; `notes.txt` a person put there is kept."""
    name = rel.rsplit("/", 1)[-1]
    if name.startswith(".") and TMP_MARK in name:
        return True
    return _OURS.fullmatch(rel) is not None


def sweep(root: Path, keep: set[str], folders: set[Path] | None, *, skip: str,
          ours: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Delete the files in `folders` (default: the whole tree under `root`) that `keep` does
    not list and `ours` owns, then the folders this empties; the top folder `skip` is left
    alone. Returns (deleted, kept because not ours), as paths relative to `root`."""
    if folders is None:
        folders = {Path(d) for d, _, _ in os.walk(root)}
    removed: list[str] = []
    foreign: list[str] = []
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            path = folder / name
            rel = path.relative_to(root).as_posix()
            if (rel in keep or rel.split("/")[0] == skip
                    or not path.is_file() or path.is_symlink()):
                continue
            if not ours(rel):
                foreign.append(rel)  # a user's file: never deleted silently
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(rel)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()  # only succeeds when empty
            except OSError:
                break
            folder = folder.parent
    return sorted(removed), foreign
