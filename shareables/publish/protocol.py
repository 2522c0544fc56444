"""Publish output/ to S3-compatible storage: plan, upload, barrier, verify, switch, prune.

The order is the safety argument (see docs/publishing.md and the spec's Publishing section):

1. lock      a lock object written with a conditional put (If-None-Match: *), with a lease
2. plan      pure diff in publish/plan.py; `--dry-run` prints it and stops (without the lock)
3. upload    content-addressed immutable objects, in parallel; our SHA-256 in x-amz-meta-sha256
4. barrier   any failed upload raises: nothing is switched or deleted
5. verify    HEAD every object the new manifest references: exists, size, SHA-256 metadata
6. switch    manifests/<build-id>.json, then manifest.json, then index.html last (no-cache)
7. prune     unreferenced objects older than the grace period, at most --max-deletes
8. unlock

A run killed at any point leaves the previous page live and complete; the next run uploads only
what is missing (the listing shows what an interrupted run already wrote).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from ..errors import PublishError
from ..project.model import Settings
from .lock import DEFAULT_LEASE, Lock, now_utc, owner_name
from .pages import live_page_shas, put_pages, render_site
from .plan import (
    INDEX_KEY,
    MANIFEST_KEY,
    MANIFESTS_DIR,
    Plan,
    format_plan,
    human_bytes,
    plan_publish,
    publishable_manifest,
    slug,
)
from .preview import dry_run_public, have_credentials
from .s3 import (
    DEFAULT_ATTEMPTS,
    DEFAULT_JOBS,
    CorruptRemoteObject,
    PublishConfigError,
    Target,
    check_bucket,
    fetch_remote_manifest,
    get_json,
    list_objects,
    make_client,
    quiet_third_party_logs,
    recent_manifests,
    resolve_target,
)
from .shards import publish_merge, publish_shard, share_durations
from .transfer import (
    Reporter,
    _delete,
    _put_small,
    _upload_all,
    _verify,
    check_confined,
    read_from_local_copies,
)

__all__ = ["PublishConfigError", "PublishResult", "Reporter", "Target", "fetch_remote_manifest",
           "make_client", "publish", "publish_project", "resolve_target"]

log = logging.getLogger("shareables.publish")

DEFAULT_MAX_DELETES = 500
DEFAULT_GRACE = timedelta(days=7)
DEFAULT_KEEP_MANIFESTS = 5


# --- the run ------------------------------------------------------------------------------


@dataclass
class PublishResult:
    plan: Plan
    url: str
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    verified: int = 0
    deleted: int = 0
    switched: bool = False
    seconds: float = 0.0
    build_exit_code: int = 0
    """With --build: 1 when some designs failed (the rest were still published)."""


BUILD_LOCK = Path(".shareables") / "lock"
"""The build's exclusive lock (build/writer.py); publish holds it shared while it reads."""

_SHA256 = re.compile(r"[0-9a-f]{64}")
_REBUILD = "rebuild with `shareables build`"


def read_local_manifest(output_dir: Path) -> dict[str, Any]:
    """output/manifest.json, checked: complete, and listing only confined, hashed files."""
    path = output_dir / "manifest.json"
    try:
        if not path.is_file():
            raise PublishConfigError(f"{path} does not exist",
                                     hint="run `shareables build` first (or publish --build)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror}", hint=_REBUILD) from None
    except (ValueError, RecursionError) as exc:
        raise PublishError(f"{path} is not valid JSON ({exc})", hint=_REBUILD) from None
    if not isinstance(data, dict) or not isinstance(data.get("artefacts"), list):
        raise PublishError(f"{path} has no artefacts list", hint=_REBUILD)
    if data.get("incomplete"):
        raise PublishError(
            f"{path} is marked incomplete: a build was interrupted or is still running, so "
            f"it lists fewer files than the project has; nothing was published",
            hint="run `shareables build` to the end, then publish")
    for i, a in enumerate(data["artefacts"]):
        _check_entry(path, i, a)
    return data


def _check_entry(manifest: Path, i: int, a: Any) -> None:
    """An entry may only name a file inside output/ by a plain relative path, with its hash."""
    where = f"{manifest}: artefacts[{i}]"
    if not isinstance(a, dict):
        raise PublishError(f"{where} is not an entry", hint=_REBUILD)
    rel = a.get("path")
    if not isinstance(rel, str):
        rel = ""
    parts = rel.split("/") if rel else []
    if (not parts or rel.startswith("/") or "\\" in rel or "\0" in rel
            or any(p in ("", ".", "..") for p in parts) or parts[0] == ".shareables"):
        raise PublishError(f"{where} names {rel!r}, which is not a file inside output/; "
                           f"refusing to publish anything",
                           hint=f"the manifest was edited or damaged: {_REBUILD}")
    sha, size = a.get("sha256"), a.get("bytes")
    if not (isinstance(sha, str) and _SHA256.fullmatch(sha)) or not isinstance(size, int) \
            or isinstance(size, bool) or size < 0:
        raise PublishError(f"{where} ({rel}) has no valid size and SHA-256",
                           hint=f"the manifest was edited or damaged: {_REBUILD}")


@contextlib.contextmanager
def no_build_running(output_dir: Path) -> Iterator[None]:
    """Hold the build lock shared: refuse while a build writes, keep one from starting."""
    lock = output_dir / BUILD_LOCK
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:  # no build ever ran here (or a foreign folder): nothing to wait for
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"a build is writing to {output_dir} right now; nothing was "
                               f"published", hint="wait for it to finish, then publish"
                               ) from None
        yield
    finally:
        os.close(fd)


def _older(local: Mapping[str, Any], remote: Mapping[str, Any] | None) -> str | None:
    """Why the local build is older than the live one (None: newer, same, or unknown)."""
    if not remote or remote.get("build_id") == local.get("build_id"):
        return None
    mine, live = _stamp(local.get("built_at")), _stamp(remote.get("built_at"))
    if mine is None or live is None or mine >= live:
        return None
    return (f"output/ holds a build from {mine:%Y-%m-%d %H:%M} UTC, older than the live one "
            f"({live:%Y-%m-%d %H:%M} UTC); refusing to replace the newer site")


def _stamp(text: Any) -> datetime | None:
    from .lock import _parse_time

    return _parse_time(text) if isinstance(text, str) else None


def publish(
    output_dir: Path,
    target: Target,
    *,
    dry_run: bool = False,
    max_deletes: int = DEFAULT_MAX_DELETES,
    grace: timedelta = DEFAULT_GRACE,
    keep_manifests: int = DEFAULT_KEEP_MANIFESTS,
    prune: bool = True,
    force: bool = False,
    allow_older: bool = False,
    break_lock: bool = False,
    lease: timedelta = DEFAULT_LEASE,
    jobs: int = DEFAULT_JOBS,
    attempts: int = DEFAULT_ATTEMPTS,
    reporter: Reporter | None = None,
    client: Any = None,
    local: dict[str, Any] | None = None,
    durations: Mapping[str, float] | None = None,
) -> PublishResult:
    """Publish output/ to `target` safely; raises PublishError (nothing live changed) on failure.

    `client` lets tests pass a client with event hooks; normally one is made from the AWS chain.
    `local`/`durations`: a manifest and render times assembled elsewhere (shards.py's merge)
    instead of output/'s.
    """
    started = time.monotonic()
    rep = reporter or Reporter()
    with no_build_running(output_dir), quiet_third_party_logs():
        local = local if local is not None else read_local_manifest(output_dir)
        if dry_run and client is None and not have_credentials():
            plan, lines = dry_run_public(output_dir, target, local, now_utc(), grace, force)
            for line in lines:
                rep.line(line)
            return PublishResult(plan=plan, url=target.page_url(), dry_run=True,
                                 seconds=time.monotonic() - started)
        brand_slug = slug(str((local.get("brand") or {}).get("name") or "shareables"))
        client = client or make_client(target, jobs=jobs, attempts=attempts)
        server_now = check_bucket(client, target)
        lock = None if dry_run else Lock(client, target, lease, owner_name()).acquire(
            break_lock=break_lock)
        try:
            result = _run(client, target, output_dir, local, brand_slug, rep, dry_run=dry_run,
                          max_deletes=max_deletes, grace=grace, keep_manifests=keep_manifests,
                          prune=prune, force=force, allow_older=allow_older, jobs=jobs,
                          lock=lock, server_now=server_now,
                          durations=durations if durations is not None else
                          _local_durations(output_dir))
        finally:
            if lock is not None:
                lock.release()
    result.seconds = time.monotonic() - started
    return result


def _run(
    client: Any, target: Target, output_dir: Path, local: dict[str, Any], brand_slug: str,
    rep: Reporter, *, dry_run: bool, max_deletes: int, grace: timedelta, keep_manifests: int,
    prune: bool, force: bool, allow_older: bool, jobs: int, lock: Lock | None,
    server_now: datetime | None = None,
    durations: Mapping[str, float] | None = None,
) -> PublishResult:
    notes: list[str] = []
    try:
        remote = get_json(client, target, MANIFEST_KEY)
    except CorruptRemoteObject as e:
        remote = None
        notes.append(f"{e.message}: treated as absent (the plan comes from the bucket "
                     f"listing) and rewritten by this publish")
    listing = list_objects(client, target)
    history = recent_manifests(client, target, listing, keep_manifests,
                               exclude=f"{MANIFESTS_DIR}{local.get('build_id')}.json"
                               ) if prune else []
    pages = render_site(publishable_manifest(local, brand_slug), target)
    # Every page is compared with the live one (`live_pages`); the manifest records the index.
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in pages.items()}
    page_sha = expected[INDEX_KEY]
    live = live_page_shas(client, target, expected, jobs)
    if server_now is None:
        notes.append("the server sent no Date header: object ages use this machine's clock")
    now = server_now or now_utc()
    plan = plan_publish(local, remote, listing, history, brand_slug=brand_slug, now=now,
                        grace=grace, index_sha256=page_sha, prune=prune, force=force,
                        live_pages=live, expected_pages=expected)
    plan.notes.extend(notes)
    result = PublishResult(plan=plan, url=target.page_url(), dry_run=dry_run)
    lines = format_plan(plan, location=target.location)
    older = _older(local, remote)
    if dry_run:
        for line in lines:
            rep.line(line)
        if len(plan.deletes) > max_deletes:
            rep.line(f"publishing would fail: {len(plan.deletes)} deletes > --max-deletes "
                     f"{max_deletes}")
        if older and not allow_older:
            rep.line(f"publishing would fail: {older}")
        return result
    for line in [f"note: {n}" for n in plan.notes] + lines[-1:]:
        rep.line(line)
    if older and not allow_older:
        raise PublishError(older, hint="pull the latest designs and rebuild, or pass "
                                       "--allow-older to roll back on purpose")
    if len(plan.deletes) > max_deletes:
        raise PublishError(
            f"pruning would delete {len(plan.deletes)} objects, more than --max-deletes "
            f"{max_deletes}; nothing was uploaded or deleted",
            hint="check with --dry-run, then raise --max-deletes or pass --no-prune")
    if plan.up_to_date:
        rep.line(f"Up to date: {result.url}")
        return result
    if not plan.manifest.get("artefacts") and remote and remote.get("artefacts"):
        # A build where every design failed must not replace a live site with an empty page.
        raise PublishError(
            f"the build has no artefacts; refusing to replace the live site "
            f"({len(remote['artefacts'])} artefacts) with an empty page",
            hint="fix the build; to take the site down, delete index.html in the bucket")
    read_from_local_copies(plan, output_dir)
    for u in plan.uploads:  # every file confined before the first byte leaves
        check_confined(output_dir, u.path)
    missing = [u.path for u in plan.uploads if not (output_dir / u.path).is_file()]
    if missing:
        raise PublishError(f"{len(missing)} files to upload are missing from {output_dir}, "
                           f"e.g. {missing[0]}", hint="rebuild with `shareables build`")

    result.uploaded = _upload_all(client, target, output_dir, plan.uploads, jobs, rep)
    # Barrier passed: every upload succeeded. Now prove the whole new manifest resolves.
    result.verified = _verify(client, target, output_dir, plan, jobs, rep)
    if lock is not None:
        lock.refresh()  # still ours? Never switch under someone else's lock.
    if plan.switch:
        share_durations(client, target, durations or {})  # the next run's shards balance by it
        _switch(client, target, plan.manifest, pages if plan.page else None, page_sha, rep, now)
        result.switched = True
    if plan.deletes:
        result.deleted = _delete(client, target, [d.key for d in plan.deletes], rep)
    rep.line(f"Published {len(result.uploaded)} new objects "
             f"({human_bytes(sum(u.size for u in plan.uploads))}), verified {result.verified}, "
             f"deleted {result.deleted}: {result.url}")
    return result


def _sha_of(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _switch(client: Any, target: Target, manifest: dict[str, Any],
            pages: dict[str, bytes] | None, page_sha: str, rep: Reporter,
            now: datetime | None = None) -> None:
    """manifests/<build-id>.json, then manifest.json, then the pages, index.html last.

    `pages` None: the live pages are already these bytes (only cache keys changed); they stay.
    """
    manifest = dict(manifest)
    manifest["published"] = {"at": (now or now_utc()).isoformat(), "index_sha256": page_sha,
                             "prefix": target.prefix}
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    build_id = manifest.get("build_id") or hashlib.sha256(body).hexdigest()
    _put_small(client, target, f"{MANIFESTS_DIR}{build_id}.json", body, "application/json")
    _put_small(client, target, MANIFEST_KEY, body, "application/json")
    if pages is None:
        rep.line(f"recorded new cache keys for build {str(build_id)[:12]} (page unchanged)")
        return
    put_pages(client, target, pages)
    rep.line(f"switched to build {str(build_id)[:12]}")


def _local_durations(output_dir: Path) -> dict[str, float]:
    try:
        data = json.loads((output_dir / ".shareables" / "durations.json").read_bytes())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))} \
        if isinstance(data, dict) else {}


def publish_project(
    settings: Settings,
    *,
    output_dir: Path | None = None,
    build_first: bool = False,
    shard: tuple[int, int] | None = None,
    run_id: str | None = None,
    merge: str | None = None,
    shards: int | None = None,
    wait: float = 0.0,
    bucket: str | None = None,
    prefix: str | None = None,
    endpoint_url: str | None = None,
    build_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> PublishResult:
    """`shareables publish`: resolve the target from settings + overrides, optionally build
    (`build_options` go to build.build), then publish (options as for `publish`)."""
    target = resolve_target(settings.publish, bucket=bucket, prefix=prefix,
                            endpoint_url=endpoint_url)
    out = output_dir or settings.project_dir / "output"
    if shard is not None or merge is not None:  # shards.py: N builders, one switch
        return _sharded(settings, target, out, shard=shard, run_id=run_id, merge=merge,
                        shards=shards, wait=wait, build_options=build_options or {},
                        **options)
    build_exit = _build_incremental(settings, target, out, **(build_options or {})) \
        if build_first else 0
    result = publish(out, target, **options)
    result.build_exit_code = build_exit
    return result


def _build_incremental(settings: Settings, target: Target, out: Path, **options: Any) -> int:
    """Build, taking artefacts the published manifest has (same cache_key) as already done.

    On a fresh checkout output/ is empty: without the published manifest CI would re-render
    (and re-upload) every design. Returns the build's exit code (1: some designs failed; their
    previous published versions stay in the manifest).
    """
    from ..build.pipeline import build_project

    previous = fetch_remote_manifest(target)
    click.echo("Building what changed since the published manifest…" if previous
               else "Nothing published yet: building everything…")
    result = build_project(settings, output_dir=out, previous_manifest=previous,
                           progress=build_progress_line, **options)
    for e in result.errors:
        click.secho(str(e), fg="red", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(result.summary())
    return result.exit_code


def _sharded(settings: Settings, target: Target, out: Path, *, shard: tuple[int, int] | None,
             run_id: str | None, merge: str | None, shards: int | None, wait: float,
             build_options: Mapping[str, Any], **options: Any) -> PublishResult:
    rep = options.pop("reporter", None) or Reporter()
    jobs = options.get("jobs", DEFAULT_JOBS)
    with quiet_third_party_logs():
        client = options.pop("client", None) or make_client(
            target, jobs=jobs, attempts=options.pop("attempts", DEFAULT_ATTEMPTS))
        check_bucket(client, target)
        if merge is not None:
            if not shards:
                raise PublishConfigError("--merge needs --shards N (how many shards ran)")
            return publish_merge(settings, target, client, run_id=merge, shards=shards,
                                 wait=wait, rep=rep, **options)
        assert shard is not None
        started = time.monotonic()
        partial = publish_shard(settings, target, client, shard=shard, run_id=run_id or "",
                                output_dir=out, jobs=jobs, rep=rep, build_options=build_options)
    result = PublishResult(plan=Plan(partial, [], 0, [], 0, False, "shard: switches nothing"),
                           url=target.page_url())
    result.build_exit_code = int(partial.get("exit_code", 0))
    result.seconds = time.monotonic() - started
    return result


def build_progress_line(p: Any) -> None:
    """One plain line per finished render job (build.Progress), as in CI logs."""
    width = len(str(p.total))
    click.echo(f"[{p.done:>{width}}/{p.total}] {p.label}{'' if p.ok else ' FAILED'}", err=True)
