"""Moving bytes: uploads in a bounded thread pool, HEAD verification, small no-cache
writes, batched deletes, and the progress reporter they share."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import PublishError
from .plan import NO_CACHE, Plan, Upload, key_dispositions
from .s3 import Target, code_of, translate

log = logging.getLogger("shareables.publish")


class Reporter:
    """Progress bar on a terminal, plain lines elsewhere (CI logs)."""

    def __init__(self, echo: Callable[[str], None] | None = None, tty: bool | None = None,
                 quiet: bool = False) -> None:
        self.echo = echo or click.echo
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.quiet = quiet

    def line(self, text: str) -> None:
        log.debug(text)
        if not self.quiet:
            self.echo(text)

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[str, int], None]]:
        if self.quiet or total == 0:
            yield lambda _item, _n: None
            return
        if self.tty:
            with click.progressbar(length=total, label=label) as bar:
                yield lambda _item, n: bar.update(n)
            return
        done = [0]

        def step(item: str, n: int) -> None:
            done[0] += 1
            self.echo(f"  {label} {done[0]}: {item}")

        yield step


def check_confined(output_dir: Path, rel: str) -> Path:
    """output/<rel> as a real path, if it is a regular file inside output/ reached without
    any symlink; raises PublishError otherwise (a missing file passes: reported later)."""
    path = output_dir / rel
    root = output_dir.resolve()
    try:
        real = path.resolve(strict=True)
    except OSError:
        return path
    inside = real.is_relative_to(root) and real.relative_to(root).as_posix() == rel
    if not inside or path.is_symlink() or not real.is_file():
        raise PublishError(f"{rel} is not a regular file inside {output_dir} (a link or "
                           f"something else); refusing to upload anything",
                           hint="output/ was changed by hand; rebuild with `shareables build`")
    return real


def read_confined(output_dir: Path, rel: str) -> bytes:
    """The bytes of output/<rel>: a regular file inside output/, reached without symlinks."""
    path = output_dir / rel
    try:
        real = check_confined(output_dir, rel)
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            return f.read()
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror}",
                           hint="rebuild with `shareables build`") from None


def _put_file(client: Any, target: Target, output_dir: Path, u: Upload) -> str:
    data = read_confined(output_dir, u.path)
    if len(data) != u.size or hashlib.sha256(data).hexdigest() != u.sha256:
        raise PublishError(f"{u.path} does not match manifest.json (size or SHA-256)",
                           hint="output/ changed since the build; rebuild with `shareables build`")
    try:
        client.put_object(Bucket=target.bucket, Key=target.key(u.key), Body=data,
                          ContentType=u.content_type, CacheControl=u.cache_control,
                          ContentDisposition=u.disposition, Metadata={"sha256": u.sha256})
    except Exception as exc:
        raise translate(exc, target, f"uploading {u.key} to") from None
    log.debug("uploaded %s (%d bytes)", u.key, u.size)
    return u.key


def _upload_all(client: Any, target: Target, output_dir: Path, uploads: list[Upload], jobs: int,
                rep: Reporter) -> list[str]:
    """Parallel uploads with a bounded pool; the first failure cancels the rest and raises."""
    done: list[str] = []
    if not uploads:
        return done
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="upload") as pool, \
            rep.progress(len(uploads), "upload") as step:
        pending: set[Future[str]] = {pool.submit(_put_file, client, target, output_dir, u)
                                     for u in uploads}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for f in finished:
                    key = f.result()  # re-raises the upload's PublishError
                    done.append(key)
                    step(key, 1)
        except BaseException:
            for f in pending:
                f.cancel()
            raise
    return done


def _head(client: Any, target: Target, key: str) -> dict[str, Any] | None:
    try:
        return dict(client.head_object(Bucket=target.bucket, Key=target.key(key)))
    except Exception as exc:
        if code_of(exc) in ("NoSuchKey", "404", "NotFound"):
            return None
        raise translate(exc, target, f"checking {key} on") from None


def _verify(client: Any, target: Target, output_dir: Path, plan: Plan, jobs: int,
            rep: Reporter) -> int:
    """HEAD every referenced object; re-upload a bad one once if we have it, else fail."""
    artefacts = {a["key"]: a for a in plan.manifest.get("artefacts", [])}
    dispositions = key_dispositions(plan.manifest.get("artefacts", []))
    paths = local_paths(plan.manifest)

    def bad(key: str) -> str | None:
        h = _head(client, target, key)
        a = artefacts[key]
        if h is None:
            return "missing"
        if int(h.get("ContentLength", -1)) != int(a["bytes"]):
            return f"size {h.get('ContentLength')} != {a['bytes']}"
        got = (h.get("Metadata") or {}).get("sha256")
        if got != a["sha256"]:
            return f"sha256 metadata {got!r} != {a['sha256'][:12]}…"
        return None

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="verify") as pool:
        problems = {k: p for k, p in zip(artefacts, pool.map(bad, artefacts), strict=True) if p}
    if problems:
        found = {k: p for k in problems if (p := local_copy(output_dir, paths[k]))}
        rep.line(f"verify: {len(problems)} objects wrong on the server; re-uploading "
                 f"{len(found)}")
        for k, path in found.items():
            a = artefacts[k]
            _put_file(client, target, output_dir, Upload(
                key=k, path=path, size=int(a["bytes"]), sha256=a["sha256"],
                content_type=a.get("content_type") or "application/octet-stream",
                disposition=dispositions[k], reason="failed verification"))
        problems = {k: p for k in problems if (p := bad(k))}
    if problems:
        first = ", ".join(f"{k} ({p})" for k, p in list(problems.items())[:5])
        raise PublishError(f"{len(problems)} objects failed verification: {first}",
                           hint="nothing was switched; rebuild and publish with --force")
    log.debug("verified %d objects", len(artefacts))
    return len(artefacts)


def local_paths(manifest: Mapping[str, Any]) -> dict[str, list[str]]:
    """key -> the output paths whose bytes it holds (several when platforms share a file)."""
    out: dict[str, list[str]] = {}
    for a in manifest.get("artefacts", []):
        out.setdefault(str(a["key"]), []).append(str(a["path"]))
    return out


def local_copy(output_dir: Path, paths: list[str]) -> str | None:
    """The first of `paths` present in output/ (any holds the object's bytes), else None."""
    return next((p for p in paths if (output_dir / p).is_file()), None)


def read_from_local_copies(plan: Plan, output_dir: Path) -> None:
    """Point each upload at a file present in output/: an object several platforms share can
    be read from any of their files (a fresh checkout may have only some of them)."""
    paths = local_paths(plan.manifest)
    plan.uploads = [u if (output_dir / u.path).is_file() else
                    dataclasses.replace(u, path=local_copy(output_dir, paths[u.key]) or u.path)
                    for u in plan.uploads]


def _put_small(client: Any, target: Target, rel: str, body: bytes, content_type: str) -> None:
    try:
        client.put_object(Bucket=target.bucket, Key=target.key(rel), Body=body,
                          ContentType=content_type, CacheControl=NO_CACHE,
                          Metadata={"sha256": hashlib.sha256(body).hexdigest()})
    except Exception as exc:
        raise translate(exc, target, f"writing {rel} to") from None


def _delete(client: Any, target: Target, keys: list[str], rep: Reporter) -> int:
    deleted = 0
    for i in range(0, len(keys), 1000):
        batch = keys[i:i + 1000]
        try:
            r = client.delete_objects(Bucket=target.bucket, Delete={
                "Objects": [{"Key": target.key(k)} for k in batch], "Quiet": True})
        except Exception as exc:
            raise translate(exc, target, "pruning old objects from") from None
        errors = r.get("Errors") or []
        if errors:
            raise PublishError(f"the new site is live, but pruning failed for {len(errors)} "
                               f"objects (e.g. {errors[0].get('Key')}: {errors[0].get('Code')})",
                               hint="they are pruned on the next publish")
        deleted += len(batch)
    rep.line(f"pruned {deleted} objects")
    return deleted
