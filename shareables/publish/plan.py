"""The publish diff, as pure functions: what to upload (and why), what may be pruned.

No I/O here: publish.py lists the bucket and reads the remote manifests, hands them to
`plan_publish`, prints the plan (`--dry-run` stops there) and applies it. Keeping the decision
pure is what lets the tests state the rules directly (Hugo's deploy does the same).

Object layout under the publish prefix::

    files/<sha256>/<download-name>   immutable artefacts (content-addressed, cached forever)
    manifests/<build-id>.json        every published manifest, newest few kept for pruning
    manifest.json                    the live manifest (no-cache), written after the above
    index.html                       the live download page (no-cache), written last
    .publish.lock                    the publisher's lock (see publish.py)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

FILES_DIR = "files/"
MANIFESTS_DIR = "manifests/"
MANIFEST_KEY = "manifest.json"
INDEX_KEY = "index.html"
LOCK_KEY = ".publish.lock"

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

DOWNLOAD_ROLES = frozenset({"image", "slide", "pdf", "bundle", "clip"})
"""Roles a supporter saves to disk: served with Content-Disposition: attachment."""


@dataclass(frozen=True)
class RemoteObject:
    """One object from the bucket listing (key relative to the prefix)."""

    key: str
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class Upload:
    """One object to write, with the reason it moves (printed by --dry-run)."""

    key: str  # relative to the prefix
    path: str  # relative to output/
    size: int
    sha256: str
    content_type: str
    disposition: str
    reason: str
    cache_control: str = IMMUTABLE


@dataclass(frozen=True)
class Delete:
    key: str
    size: int
    reason: str


@dataclass
class Plan:
    """Everything one publish will do, decided before any request that changes the bucket."""

    manifest: dict[str, Any]
    """The manifest to publish: the local one with each artefact's object `key` added."""
    uploads: list[Upload]
    present: int
    """Referenced objects already on the server (not uploaded again)."""
    deletes: list[Delete]
    kept_in_grace: int
    """Unreferenced objects younger than the grace period: left for a later publish."""
    switch: bool
    """Whether manifest.json and index.html must be rewritten."""
    switch_reason: str
    notes: list[str] = field(default_factory=list)
    page: bool = True
    """Whether index.html is rewritten with the switch (not when only cache keys changed)."""

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.uploads)

    @property
    def delete_bytes(self) -> int:
        return sum(d.size for d in self.deletes)

    @property
    def up_to_date(self) -> bool:
        return not self.uploads and not self.deletes and not self.switch

    def referenced_keys(self) -> list[str]:
        return [a["key"] for a in self.manifest.get("artefacts", [])]


def slug(text: str, fallback: str = "shareables") -> str:
    """A lowercase ASCII slug for download names: the page's own rule, so names agree."""
    from ..site.model import slug as page_slug

    return page_slug(text, fallback)


def download_name(artefact: Mapping[str, Any], brand_slug: str, label: str | None = None
                  ) -> str:
    """The human file name a supporter's download gets, e.g. madre-darwish-ar-x.png.

    site.download_name is the one definition, so the page and Content-Disposition agree;
    `label` names a file several platforms share (site/names.py, e.g. ``portrait``).
    """
    from ..site.page import download_name as page_name

    if not artefact.get("design"):  # the page's own og:image belongs to no design
        return f"{brand_slug}-{slug(PurePosixPath(str(artefact['path'])).stem)}" \
               f"{PurePosixPath(str(artefact['path'])).suffix}"
    return page_name(dict(artefact), brand_slug, label)


def object_key(artefact: Mapping[str, Any], brand_slug: str, label: str | None = None) -> str:
    """Content-addressed key (relative to the prefix): files/<sha256>/<download-name>.

    Platforms of one variant that share bytes share the label, hence one key: one object,
    one upload (see `assign_keys`).
    """
    return f"{FILES_DIR}{artefact['sha256']}/{download_name(artefact, brand_slug, label)}"


_KEY = re.compile(r"files/([0-9a-f]{64})/[a-z0-9][a-z0-9._-]*")


def assign_keys(artefacts: Iterable[dict[str, Any]], brand_slug: str) -> None:
    """Give each artefact its object `key` (in place).

    An artefact that already has a key for its own bytes keeps it: it came from the published
    manifest (a fresh checkout's build adopts published renders without their files), so that
    object is on the server and may be the only copy. Every other artefact gets
    `object_key` with the shared-file label of site/names.py.
    """
    from ..site.names import file_labels

    artefacts = list(artefacts)
    labels = file_labels(artefacts)
    for a in artefacts:
        old = a.get("key")
        m = _KEY.fullmatch(old) if isinstance(old, str) else None
        if m is None or m.group(1) != a.get("sha256"):
            a["key"] = object_key(a, brand_slug, labels.get(str(a.get("path"))))


def disposition(attachment: bool, name: str) -> str:
    """attachment (with the file name) for what supporters download, inline for previews
    and the og:image."""
    if not attachment:
        return "inline"
    safe = name.replace('"', "").replace("\\", "")
    if safe.isascii():
        return f'attachment; filename="{safe}"'
    from urllib.parse import quote

    fallback = safe.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe)}"


def key_dispositions(artefacts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """key -> Content-Disposition of the object: attachment when any artefact stored under
    the key is a download (a thumbnail may have the very bytes of its image)."""
    attach: dict[str, bool] = {}
    for a in artefacts:
        key = str(a["key"])
        attach[key] = attach.get(key, False) or \
            str(a.get("role") or "image") in DOWNLOAD_ROLES
    return {key: disposition(att, key.rsplit("/", 1)[-1]) for key, att in attach.items()}


def publishable_manifest(local: Mapping[str, Any], brand_slug: str) -> dict[str, Any]:
    """A deep copy of the local manifest with each artefact's object `key` added."""
    manifest = copy.deepcopy(dict(local))
    assign_keys(manifest.get("artefacts", []), brand_slug)
    add_inline_views(manifest)
    return manifest


VIEW_ROLES = frozenset({"image", "slide"})


def add_inline_views(manifest: dict[str, Any]) -> None:
    """Add an inline copy (role ``view``, key ``files/<sha256>/view/<name>``) of each image.

    Downloads are ``Content-Disposition: attachment``, which on iPhone saves into Files, not
    Photos. A tap on a preview on the page opens this copy instead (same bytes, ``inline``),
    where a long-press offers "Save to Photos". As artefacts of the published manifest they
    are uploaded, verified and pruned like any other object; builds ignore them.
    """
    artefacts = manifest.get("artefacts") or []
    views = [{**a, "role": "view", "of": a["path"],
              "key": f"{FILES_DIR}{a['sha256']}/view/{str(a['key']).rsplit('/', 1)[-1]}"}
             for a in artefacts if a.get("role") in VIEW_ROLES and a.get("key")]
    artefacts.extend(views)


def _short(sha: str | None) -> str:
    return (sha or "?")[:12]


def plan_publish(
    local: Mapping[str, Any],
    remote: Mapping[str, Any] | None,
    listing: Mapping[str, RemoteObject] | None,
    history: Sequence[tuple[str, Mapping[str, Any]]] = (),
    *,
    brand_slug: str,
    now: datetime,
    grace: timedelta,
    index_sha256: str | None = None,
    prune: bool = True,
    force: bool = False,
    live_pages: Mapping[str, str | None] | None = None,
    expected_pages: Mapping[str, str] | None = None,
) -> Plan:
    """Compare the local manifest with what is published and decide every move.

    - `remote`: the live manifest.json (None when nothing is published yet).
    - `listing`: objects under files/ and manifests/ (None when the bucket cannot be listed;
      the remote manifest then says what is present, and nothing is pruned).
    - `history`: (key, manifest) of the most recent earlier manifests/<id>.json; anything
      they reference stays, so a page cached by a browser or CDN keeps working.
    - `index_sha256`: SHA-256 of the page about to be published, to skip an unchanged switch.
    - `force`: upload every referenced object again (repairs a tampered bucket).
    - `live_pages`: SHA-256 of each page object on the server (index.html and any asset;
      None: missing), read this run; `expected_pages` the same for the page being published.
      Any difference switches again, so a page lost or defaced after a switch is repaired.
    """
    manifest = publishable_manifest(local, brand_slug)
    remote_by_path = {a["path"]: a for a in (remote or {}).get("artefacts", []) if "path" in a}
    remote_keys = {a["key"] for a in (remote or {}).get("artefacts", []) if "key" in a}
    uploads: list[Upload] = []
    present = 0
    seen: set[str] = set()
    dispositions = key_dispositions(manifest.get("artefacts", []))
    for a in manifest.get("artefacts", []):
        key = a["key"]
        if key in seen:  # platforms sharing bytes (or one artefact listed twice): one object
            continue
        seen.add(key)
        reason = _upload_reason(a, key, remote, remote_by_path, remote_keys, listing, force)
        if reason is None:
            present += 1
            continue
        uploads.append(Upload(key=key, path=a["path"], size=int(a["bytes"]), sha256=a["sha256"],
                              content_type=a.get("content_type") or "application/octet-stream",
                              disposition=dispositions[key], reason=reason))

    switch, switch_reason = _switch_reason(local, remote, index_sha256, bool(uploads))
    if not switch and live_pages is not None and expected_pages is not None:
        switch, switch_reason = _live_page_reason(live_pages, expected_pages)
    page = switch
    if not switch and remote is not None:
        # Same files, new cache keys (a library upgrade that changed no byte): the manifest
        # must still record the keys, or every fresh checkout re-renders everything again.
        stale = _stale_cache_keys(manifest, remote)
        if stale:
            switch, page = True, False
            switch_reason = f"cache keys changed for {stale} artefacts (same bytes)"
    deletes: list[Delete] = []
    kept = 0
    notes: list[str] = []
    if prune and listing is not None:
        deletes, kept = _prune(manifest, remote, listing, history, now=now, grace=grace)
    elif prune:
        notes.append("the bucket could not be listed: nothing is pruned this time")
    return Plan(manifest=manifest, uploads=uploads, present=present, deletes=deletes,
                kept_in_grace=kept, switch=switch, switch_reason=switch_reason, notes=notes,
                page=page)


def _stale_cache_keys(manifest: Mapping[str, Any], remote: Mapping[str, Any]) -> int:
    """How many artefacts the remote manifest lists under another cache key (or renderer)."""
    published = {a.get("path"): a.get("cache_key") for a in remote.get("artefacts", [])}
    stale = sum(published.get(a["path"]) != a.get("cache_key")
                for a in manifest.get("artefacts", []))
    return stale or int(remote.get("renderer") != manifest.get("renderer"))


def _upload_reason(
    a: Mapping[str, Any],
    key: str,
    remote: Mapping[str, Any] | None,
    remote_by_path: Mapping[str, Mapping[str, Any]],
    remote_keys: set[str],
    listing: Mapping[str, RemoteObject] | None,
    force: bool,
) -> str | None:
    """Why this artefact must be uploaded, or None when the server already has it."""
    if listing is not None:
        obj = listing.get(key)
        if obj is not None and obj.size == int(a["bytes"]) and not force:
            # Same content-addressed key and size: a complete PUT of these bytes (S3 writes
            # are atomic). Verify checks our SHA-256 metadata after the uploads.
            return None
        if obj is not None and not force:
            return f"size on server {obj.size} B differs from {a['bytes']} B"
    elif key in remote_keys and not force:
        return None
    if force:
        return "forced"
    old = remote_by_path.get(a["path"])
    if old is not None and old.get("sha256") != a["sha256"]:
        return f"changed ({_short(old.get('sha256'))} -> {_short(a['sha256'])})"
    if key in remote_keys:
        return "missing on server"
    if remote is not None and old is not None:
        return "renamed"
    return "new"


def _switch_reason(
    local: Mapping[str, Any], remote: Mapping[str, Any] | None, index_sha256: str | None,
    uploads: bool,
) -> tuple[bool, str]:
    if remote is None:
        return True, "nothing published yet"
    if remote.get("build_id") != local.get("build_id"):
        return True, f"build {_short(remote.get('build_id'))} -> {_short(local.get('build_id'))}"
    published = remote.get("published") or {}
    if index_sha256 is not None and published.get("index_sha256") != index_sha256:
        return True, "download page changed"
    if uploads:
        return True, "objects were missing on the server"
    return False, "up to date"


def _live_page_reason(live: Mapping[str, str | None], expected: Mapping[str, str]
                      ) -> tuple[bool, str]:
    """Whether the page objects on the server are the ones the live manifest describes."""
    for name, sha in sorted(expected.items()):
        got = live.get(name)
        if got is None:
            return True, f"the live {name} is missing (repairing)"
        if got != sha:
            return True, f"the live {name} differs from the published page (repairing)"
    return False, "up to date"


def _prune(
    manifest: Mapping[str, Any],
    remote: Mapping[str, Any] | None,
    listing: Mapping[str, RemoteObject],
    history: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    now: datetime,
    grace: timedelta,
) -> tuple[list[Delete], int]:
    """Unreferenced objects older than the grace period (files/ and old manifests/ only)."""
    referenced = set(_keys_of(manifest))
    referenced.update(_keys_of(remote or {}))
    recent_manifests = {key for key, _ in history}
    recent_manifests.add(f"{MANIFESTS_DIR}{manifest.get('build_id')}.json")
    if remote is not None:  # the live page's own manifest, until it is replaced
        recent_manifests.add(f"{MANIFESTS_DIR}{remote.get('build_id')}.json")
    for _, m in history:
        referenced.update(_keys_of(m))
    deletes: list[Delete] = []
    kept = 0
    for key in sorted(listing):
        obj = listing[key]
        if key.startswith(FILES_DIR):
            if key in referenced:
                continue
            what = "not referenced by the live or recent manifests"
        elif key.startswith(MANIFESTS_DIR):
            if key in recent_manifests:
                continue
            what = "an older manifest"
        else:
            continue  # manifest.json, index.html, the lock and anything else are never pruned
        age = now - obj.last_modified
        if age < grace:
            kept += 1
            continue
        deletes.append(Delete(key=key, size=obj.size, reason=f"{what}; {_age(age)} old"))
    return deletes, kept


def _keys_of(manifest: Mapping[str, Any]) -> Iterable[str]:
    return (a["key"] for a in manifest.get("artefacts", []) if "key" in a)


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '48h', '7d' (or a bare number of hours) -> timedelta."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 30m, 48h or 7d")
    value, unit = float(m.group(1)), m.group(2) or "h"
    try:
        span = timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]:
                            value})
    except OverflowError:
        span = MAX_DURATION * 2
    if span > MAX_DURATION:
        raise ValueError(f"{text!r} is too long; at most {MAX_DURATION.days} days")
    return span


MAX_DURATION = timedelta(days=3650)


def human_bytes(n: int) -> str:
    """1234567 -> '1.2 MB' (decimal units, like the platform limits)."""
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"  # pragma: no cover


def format_plan(plan: Plan, *, location: str) -> list[str]:
    """The plan as lines for --dry-run and the log: every move with its size and reason."""
    lines = [f"Publish plan for {location}:"]
    for u in plan.uploads:
        lines.append(f"  upload {u.key} ({human_bytes(u.size)}) from {u.path}: {u.reason}")
    if plan.switch:
        page = f", {INDEX_KEY}" if plan.page else f" ({INDEX_KEY} unchanged)"
        lines.append(f"  switch {MANIFESTS_DIR}<build-id>.json, {MANIFEST_KEY}{page}: "
                     f"{plan.switch_reason}")
    for d in plan.deletes:
        lines.append(f"  delete {d.key} ({human_bytes(d.size)}): {d.reason}")
    lines.extend(f"  note: {n}" for n in plan.notes)
    lines.append(
        f"{len(plan.uploads)} to upload ({human_bytes(plan.upload_bytes)}), "
        f"{plan.present} already published, {len(plan.deletes)} to delete "
        f"({human_bytes(plan.delete_bytes)}), {plan.kept_in_grace} unreferenced kept "
        f"within the grace period"
    )
    return lines
