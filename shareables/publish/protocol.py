"""Publish output/ to S3-compatible storage: plan, upload, barrier, verify, switch, prune.

The order is the safety argument (see docs/publishing.md and the spec's Publishing section):

1. lock      a lock object written with a conditional put (If-None-Match: *), with a lease
2. plan      pure diff in publish_plan.py; `--dry-run` prints it and stops (without the lock)
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

import hashlib
import json
import logging
import mimetypes
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from ..errors import PublishError
from ..project.model import Settings
from .lock import DEFAULT_LEASE, Lock, now_utc, owner_name
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
from .transfer import Reporter, _delete, _put_small, _upload_all, _verify

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


def read_local_manifest(output_dir: Path) -> dict[str, Any]:
    path = output_dir / "manifest.json"
    if not path.exists():
        raise PublishConfigError(f"{path} does not exist",
                                 hint="run `shareables build` first (or publish --build)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PublishError(f"{path} is not valid JSON ({exc})",
                           hint="rebuild with `shareables build`") from None
    if not isinstance(data, dict) or not isinstance(data.get("artefacts"), list):
        raise PublishError(f"{path} has no artefacts list", hint="rebuild with `shareables build`")
    return data


def render_page(manifest: Mapping[str, Any], target: Target) -> bytes:
    """index.html for the bucket: every link is the object key, relative to the page.

    Relative keys keep the page working wherever the bucket is served (public_url, a CDN or
    the endpoint itself); `base_url` only makes og:image absolute for link previews.
    """
    from ..site.page import render_index

    html = render_index(dict(manifest), lambda a: a["key"], base_url=target.base_url())
    return html.encode("utf-8")


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
    break_lock: bool = False,
    lease: timedelta = DEFAULT_LEASE,
    jobs: int = DEFAULT_JOBS,
    attempts: int = DEFAULT_ATTEMPTS,
    reporter: Reporter | None = None,
    client: Any = None,
) -> PublishResult:
    """Publish output/ to `target` safely; raises PublishError (nothing live changed) on failure.

    `client` lets tests pass a client with event hooks; normally one is made from the AWS chain.
    """
    started = time.monotonic()
    rep = reporter or Reporter()
    local = read_local_manifest(output_dir)
    if dry_run and client is None and not have_credentials():
        plan, lines = dry_run_public(output_dir, target, local, now_utc(), grace, force)
        for line in lines:
            rep.line(line)
        return PublishResult(plan=plan, url=target.page_url(), dry_run=True,
                             seconds=time.monotonic() - started)
    brand_slug = slug(str((local.get("brand") or {}).get("name") or "shareables"))
    with quiet_third_party_logs():
        client = client or make_client(target, jobs=jobs, attempts=attempts)
        check_bucket(client, target)
        lock = None if dry_run else Lock(client, target, lease, owner_name()).acquire(
            break_lock=break_lock)
        try:
            result = _run(client, target, output_dir, local, brand_slug, rep, dry_run=dry_run,
                          max_deletes=max_deletes, grace=grace, keep_manifests=keep_manifests,
                          prune=prune, force=force, jobs=jobs, lock=lock)
        finally:
            if lock is not None:
                lock.release()
    result.seconds = time.monotonic() - started
    return result


def _run(
    client: Any, target: Target, output_dir: Path, local: dict[str, Any], brand_slug: str,
    rep: Reporter, *, dry_run: bool, max_deletes: int, grace: timedelta, keep_manifests: int,
    prune: bool, force: bool, jobs: int, lock: Lock | None,
) -> PublishResult:
    remote = get_json(client, target, MANIFEST_KEY)
    listing = list_objects(client, target)
    history = recent_manifests(client, target, listing, keep_manifests,
                               exclude=f"{MANIFESTS_DIR}{local.get('build_id')}.json"
                               ) if prune else []
    page = render_page(publishable_manifest(local, brand_slug), target)
    page_sha = hashlib.sha256(page).hexdigest()
    plan = plan_publish(local, remote, listing, history, brand_slug=brand_slug, now=now_utc(),
                        grace=grace, index_sha256=page_sha, prune=prune, force=force)
    result = PublishResult(plan=plan, url=target.page_url(), dry_run=dry_run)
    lines = format_plan(plan, location=target.location)
    if dry_run:
        for line in lines:
            rep.line(line)
        if len(plan.deletes) > max_deletes:
            rep.line(f"publishing would fail: {len(plan.deletes)} deletes > --max-deletes "
                     f"{max_deletes}")
        return result
    for line in lines[-1:]:
        rep.line(line)
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
        _switch(client, target, plan.manifest, page, page_sha, rep)
        result.switched = True
    if plan.deletes:
        result.deleted = _delete(client, target, [d.key for d in plan.deletes], rep)
    rep.line(f"Published {len(result.uploaded)} new objects "
             f"({human_bytes(sum(u.size for u in plan.uploads))}), verified {result.verified}, "
             f"deleted {result.deleted}: {result.url}")
    return result


def _switch(client: Any, target: Target, manifest: dict[str, Any], page: bytes,
            page_sha: str, rep: Reporter) -> None:
    """manifests/<build-id>.json, then manifest.json, then index.html: the page goes last."""
    manifest = dict(manifest)
    manifest["published"] = {"at": now_utc().isoformat(), "index_sha256": page_sha,
                             "prefix": target.prefix}
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    build_id = manifest.get("build_id") or hashlib.sha256(body).hexdigest()
    _put_small(client, target, f"{MANIFESTS_DIR}{build_id}.json", body, "application/json")
    _put_small(client, target, MANIFEST_KEY, body, "application/json")
    from ..site.page import page_assets

    for name, data in sorted(page_assets().items()):  # none today: CSS and JS are inline
        _put_small(client, target, name, data, mimetypes.guess_type(name)[0] or "text/plain")
    _put_small(client, target, INDEX_KEY, page, "text/html; charset=utf-8")
    rep.line(f"switched to build {str(build_id)[:12]}")


def publish_project(
    settings: Settings,
    *,
    output_dir: Path | None = None,
    build_first: bool = False,
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


def build_progress_line(p: Any) -> None:
    """One plain line per finished render job (build.Progress), as in CI logs."""
    width = len(str(p.total))
    click.echo(f"[{p.done:>{width}}/{p.total}] {p.label}{'' if p.ok else ' FAILED'}", err=True)
