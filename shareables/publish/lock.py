"""The publish lock: one lease object written with a conditional put, renewed by a heartbeat.

Two publishers at once (a CI run and a laptop) must not interleave their switches. S3 has no
locks, but it has conditional writes: `PUT If-None-Match: *` succeeds for exactly one writer
(AWS S3 since 2024, SeaweedFS, MinIO, R2). The lock records who holds it and until when; a
heartbeat extends the lease with `If-Match` on our own ETag, so a crashed publisher's lock
expires after one lease while a slow one keeps it, and a publisher whose lock was taken over
notices before switching.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import PublishError
from .plan import LOCK_KEY, NO_CACHE
from .s3 import Target, code_of, server_date, translate

log = logging.getLogger("shareables.publish")

DEFAULT_LEASE = timedelta(minutes=10)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


class Lock:
    """A lease on `<prefix>.publish.lock`, taken with a conditional put (If-None-Match: *).

    A heartbeat thread extends the lease with If-Match on our own ETag, so a crashed publisher's
    lock expires after one lease while a slow one keeps it. Stores without conditional writes
    (HTTP 501) get a documented fallback: write, wait, read back our token — best effort, which
    is why CI also uses a concurrency group.
    """

    def __init__(self, client: Any, target: Target, lease: timedelta, owner: str) -> None:
        self.client, self.target, self.lease, self.owner = client, target, lease, owner
        self.token = uuid.uuid4().hex
        self.since = now_utc()
        self.etag: str | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    @property
    def key(self) -> str:
        return self.target.key(LOCK_KEY)

    def _body(self) -> bytes:
        return json.dumps({"owner": self.owner, "since": self.since.isoformat(),
                           "expires": (now_utc() + self.lease).isoformat(),
                           "lease_seconds": int(self.lease.total_seconds()),
                           "token": self.token}).encode()

    def acquire(self, *, break_lock: bool = False) -> Lock:
        for _ in range(3):
            try:
                r = self.client.put_object(Bucket=self.target.bucket, Key=self.key,
                                           Body=self._body(), IfNoneMatch="*",
                                           ContentType="application/json", CacheControl=NO_CACHE)
                self.etag = r.get("ETag")
                break
            except Exception as exc:
                code = code_of(exc)
                if code in ("NotImplemented", "501"):
                    self._acquire_fallback(break_lock)
                    break
                if code not in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                    raise translate(exc, self.target, "taking the publish lock on") from None
                self._handle_held(break_lock)
        else:
            raise PublishError("could not take the publish lock after 3 attempts",
                               hint="another publisher keeps taking it; try again later")
        self._thread = threading.Thread(target=self._heartbeat, name="publish-lock", daemon=True)
        self._thread.start()
        log.debug("lock %s taken (token %s)", self.key, self.token)
        return self

    def _read(self) -> tuple[dict[str, Any] | None, str | None]:
        try:
            r = self.client.get_object(Bucket=self.target.bucket, Key=self.key)
        except Exception as exc:
            if code_of(exc) in ("NoSuchKey", "404"):
                return None, None
            raise translate(exc, self.target, "reading the publish lock on") from None
        try:
            held = json.loads(r["Body"].read())
        except (ValueError, RecursionError):
            held = {}
        if not isinstance(held, dict):
            held = {}
        # Expiry by the server's clock: when it stored the lock plus the lease, against the
        # Date of this response. A publisher whose clock is days off neither breaks a live
        # lock nor makes its own look valid for days.
        written, server_now = r.get("LastModified"), server_date(r)
        lease = held.get("lease_seconds")
        if isinstance(written, datetime) and server_now is not None and isinstance(lease, int):
            held["_expired"] = written + timedelta(seconds=lease) <= server_now
            held["expires"] = (now_utc() + (written + timedelta(seconds=lease) - server_now)
                               ).isoformat()
        return held, r.get("ETag")

    def _handle_held(self, break_lock: bool) -> None:
        """Someone holds the lock: break it if expired (or asked to), else say who has it."""
        held, etag = self._read()
        if held is None:
            return  # released meanwhile: try again
        expires = _parse_time(held.get("expires"))
        expired = held.get("_expired")
        if not isinstance(expired, bool):
            expired = expires is None or expires <= now_utc()
        if break_lock or expires is None or expired:
            log.warning("breaking %s lock of %s (expired %s)",
                        "the" if break_lock else "an expired", clean_owner(held.get("owner")),
                        clean_owner(held.get("expires")))
            kwargs = {"IfMatch": etag} if etag else {}
            try:
                self.client.delete_object(Bucket=self.target.bucket, Key=self.key, **kwargs)
            except Exception as exc:
                if code_of(exc) not in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                    raise translate(exc, self.target, "breaking the publish lock on") from None
            return
        since = _parse_time(held.get("since"))
        raise PublishError(
            f"publish in progress (by {clean_owner(held.get('owner'))}, since "
            f"{_iso(since) if since else '?'}; lease until {_iso(expires)})",
            hint="wait for it to finish; if that publisher died, rerun after the lease "
                 "expires or pass --break-lock")

    def _acquire_fallback(self, break_lock: bool) -> None:
        held, _ = self._read()
        if held:
            expires = _parse_time(held.get("expires"))
            if not break_lock and expires is not None and expires > now_utc():
                self._handle_held(False)
        r = self.client.put_object(Bucket=self.target.bucket, Key=self.key, Body=self._body(),
                                   ContentType="application/json", CacheControl=NO_CACHE)
        self.etag = r.get("ETag")
        time.sleep(1.0)  # let a racing writer land, then check that the last write was ours
        held, self.etag = self._read()
        if not held or held.get("token") != self.token:
            raise PublishError(f"publish in progress (by {clean_owner((held or {}).get('owner'))})",
                               hint="wait for it to finish")

    def _heartbeat(self) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.2)
        while not self._stop.wait(interval):
            try:
                self.refresh()
            except PublishError:
                return

    def refresh(self) -> None:
        """Extend the lease; marks the lock lost (and raises) if someone else took it."""
        with self._mutex:
            if self.lost:
                raise PublishError("the publish lock was taken over by another publisher",
                                   hint="nothing was switched; rerun when it has finished")
            try:
                kwargs = {"IfMatch": self.etag} if self.etag else {}
                r = self.client.put_object(Bucket=self.target.bucket, Key=self.key,
                                           Body=self._body(), ContentType="application/json",
                                           CacheControl=NO_CACHE, **kwargs)
                self.etag = r.get("ETag")
            except Exception as exc:
                if code_of(exc) in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                    self.lost = True
                    raise PublishError("the publish lock expired and was taken over",
                                       hint="nothing was switched; rerun") from None
                raise translate(exc, self.target, "renewing the publish lock on") from None

    def release(self) -> None:
        """Delete the lock if it is still ours; a dead server leaves it to expire."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._mutex:
            if self.lost:
                return
            try:
                kwargs = {"IfMatch": self.etag} if self.etag else {}
                self.client.delete_object(Bucket=self.target.bucket, Key=self.key, **kwargs)
                log.debug("lock %s released", self.key)
            except Exception as exc:  # never mask the real error of the run
                log.warning("could not release %s (%s); it expires after its lease",
                            self.key, exc.__class__.__name__)


def _parse_time(text: Any) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(text))
    except (ValueError, OverflowError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def clean_owner(text: Any, limit: int = 120) -> str:
    """The lock's owner as printable text: anyone who can write the bucket writes it, so
    control characters (terminal escapes), bidi controls and length are stripped."""
    import unicodedata

    if not isinstance(text, str) or not text.strip():
        return "unknown"
    kept = "".join(c if unicodedata.category(c)[0] not in "CZ" or c == " " else "?"
                   for c in text)
    return kept[:limit] + ("…" if len(kept) > limit else "")


def owner_name() -> str:
    """Who holds the lock, for the loser's message.

    The lock object sits in a publicly readable bucket while a publish runs, so in CI it names
    the run rather than a person; locally it is user@host so a colleague knows whom to ask.
    """
    run = os.environ.get("GITHUB_RUN_ID")
    if run:
        repo = os.environ.get("GITHUB_REPOSITORY", "")
        return f"GitHub Actions run {run}" + (f" of {repo}" if repo else "")
    return f"{_user()}@{socket.gethostname()} pid {os.getpid()}"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
