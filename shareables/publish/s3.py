"""The S3 side of publishing: target, boto3 client, error messages, reading the bucket.

Everything that talks to botocore lives here (and in lock.py), so protocol.py reads as
the protocol and these details stay in one place: bounded standard-mode retries, explicit
timeouts, path-style addressing for custom endpoints, credentials only from the AWS chain and
never in a log line, and one function turning botocore exceptions into messages a
communications officer can act on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from ..errors import PublishError
from ..project.model import PublishTarget
from .plan import INDEX_KEY, MANIFEST_KEY, MANIFESTS_DIR, RemoteObject

log = logging.getLogger("shareables.publish")

DEFAULT_JOBS = 8
DEFAULT_ATTEMPTS = 5
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0

_THIRD_PARTY_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3")


class PublishConfigError(PublishError):
    """The target or credentials are wrong: nothing was attempted (exit 2, like settings)."""

    exit_code = 2


class CorruptRemoteObject(PublishError):
    """A JSON object on the server (manifest.json, manifests/<id>.json) cannot be read as one.

    The protocol treats such an object as absent and says so: a damaged manifest must never
    make every later publish fail (the next switch rewrites it).
    """


@dataclass(frozen=True)
class Target:
    """Where to publish: bucket + prefix on an endpoint (None: AWS S3)."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    public_url: str | None = None
    region: str | None = None

    def key(self, rel: str) -> str:
        return f"{self.prefix}{rel}"

    @property
    def location(self) -> str:
        where = self.endpoint_url or "AWS S3"
        return f"s3://{self.bucket}/{self.prefix} ({where})"

    def base_url(self) -> str:
        """Where supporters reach the prefix (public_url when settings give one), ending in /."""
        if self.public_url:
            return self.public_url.rstrip("/") + "/"
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{self.bucket}/{self.prefix}"
        region = self.region or "us-east-1"
        return f"https://{self.bucket}.s3.{region}.amazonaws.com/{self.prefix}"

    def page_url(self) -> str:
        """The URL of the published download page."""
        return self.base_url() + INDEX_KEY


def resolve_target(
    settings: PublishTarget | None,
    *,
    bucket: str | None = None,
    prefix: str | None = None,
    endpoint_url: str | None = None,
) -> Target:
    """Settings' publish: block overridden by flags (the CLI maps SHAREABLES_* env to flags)."""
    s = settings or PublishTarget()
    name = bucket or s.bucket
    if not name:
        raise PublishConfigError(
            "no bucket to publish to", field="publish.bucket",
            hint="set publish.bucket in shareables.yaml, or pass --bucket / SHAREABLES_BUCKET")
    p = _prefix(s.prefix if prefix is None else prefix)
    endpoint = (endpoint_url if endpoint_url is not None else s.endpoint_url) or None
    if endpoint is not None:
        check_endpoint(endpoint, "--endpoint-url" if endpoint_url else "publish.endpoint_url")
    # public_url describes the configured target: when a flag points elsewhere it would lie,
    # so the page URL is then derived from the endpoint instead.
    same = (name, p, endpoint) == (s.bucket, _prefix(s.prefix), s.endpoint_url or None)
    return Target(bucket=name, prefix=p, endpoint_url=endpoint,
                  public_url=s.public_url if same else None, region=s.region)


def check_endpoint(url: str, where: str) -> None:
    """An endpoint must be an http(s) URL with a host (botocore's own error is a traceback)."""
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname \
            or not port_ok or any(c.isspace() for c in url):
        raise PublishConfigError(f"{where} {url!r} is not a valid endpoint URL",
                                 field=None if where.startswith("-") else where,
                                 hint="use e.g. http://127.0.0.1:8333 or https://s3.example.org")


def _prefix(text: str | None) -> str:
    """'shareables' or '/shareables/' -> 'shareables/'; '' stays '' (the bucket root)."""
    p = (text or "").strip().strip("/")
    return f"{p}/" if p else ""


# --- boto3 client, logging hygiene, error translation -------------------------------------


class _Redact(logging.Filter):
    """Defence in depth: scrub signatures and credentials from any record that gets through."""

    MARKERS = ("authorization", "signature=", "credential=", "x-amz-security-token",
               "aws_secret_access_key", "secretaccesskey")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record: drop it rather than risk leaking its args
            return False
        lowered = text.lower()
        if any(m in lowered for m in self.MARKERS):
            record.msg, record.args = "[redacted: request signing details]", None
        return True


_REDACT = _Redact()


@contextmanager
def quiet_third_party_logs() -> Iterator[None]:
    """Keep botocore & co. at WARNING while publishing: their DEBUG logs print signed headers.

    Our own logger (shareables.publish) still logs every step at DEBUG without headers.
    """
    saved: list[tuple[logging.Logger, int]] = []
    children = [n for n in list(logging.root.manager.loggerDict)
                if n.split(".")[0] in _THIRD_PARTY_LOGGERS and n not in _THIRD_PARTY_LOGGERS]
    for name in (*_THIRD_PARTY_LOGGERS, *children):
        lg = logging.getLogger(name)
        saved.append((lg, lg.level))
        # Top-level loggers are clamped even when NOTSET (they would inherit a DEBUG root);
        # NOTSET children then inherit WARNING, explicitly lowered children are raised.
        if name in _THIRD_PARTY_LOGGERS or lg.level != logging.NOTSET:
            lg.setLevel(max(lg.level, logging.WARNING))
        if _REDACT not in lg.filters:
            lg.addFilter(_REDACT)
    try:
        yield
    finally:
        for lg, level in saved:
            lg.setLevel(level)


def make_client(
    target: Target,
    *,
    jobs: int = DEFAULT_JOBS,
    attempts: int = DEFAULT_ATTEMPTS,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    credentials: tuple[str, str] | None = None,
) -> Any:
    """A boto3 S3 client with bounded retries and timeouts; credentials from the AWS chain.

    `credentials` (access key, secret) is for the local demo server only.
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    try:
        if credentials:
            session = boto3.session.Session(aws_access_key_id=credentials[0],
                                            aws_secret_access_key=credentials[1])
        else:
            session = boto3.session.Session()
        found = session.get_credentials()
    except BotoCoreError as exc:  # e.g. only one of the two key variables is set
        raise PublishConfigError(
            f"the S3 credentials are incomplete ({exc.__class__.__name__})",
            hint="set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
        ) from None
    if found is None:
        raise PublishConfigError(
            "no S3 credentials found",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE); "
                 "credentials are never read from shareables.yaml")
    region = target.region or session.region_name or "us-east-1"
    config = Config(
        region_name=region,
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=jobs + 4,
        # Custom endpoints (SeaweedFS, MinIO, R2…) rarely have wildcard DNS for buckets.
        s3={"addressing_style": "path"} if target.endpoint_url else None,
        user_agent_extra="shareables",
    )
    try:
        return session.client("s3", endpoint_url=target.endpoint_url, config=config)
    except (ValueError, BotoCoreError) as exc:
        raise PublishConfigError(f"cannot use the storage endpoint {target.endpoint_url!r} "
                                 f"({exc.__class__.__name__})",
                                 hint="check publish.endpoint_url / --endpoint-url") from None


def code_of(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code or str(status or "")


def translate(exc: BaseException, target: Target, doing: str) -> PublishError:
    """A botocore exception as a PublishError a communications officer can act on."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    where = target.location
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return PublishConfigError("no usable S3 credentials", hint="set AWS_ACCESS_KEY_ID and "
                                  "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionError):
        return PublishError(f"cannot reach the storage endpoint while {doing} {where}",
                            hint="check publish.endpoint_url / --endpoint-url and that the "
                                 "server is running; nothing was switched or deleted")
    if isinstance(exc, ReadTimeoutError):
        return PublishError(f"the storage endpoint timed out while {doing} {where}",
                            hint="rerun: completed uploads are not repeated")
    if isinstance(exc, ClientError):
        code = code_of(exc)
        if code in ("NoSuchBucket", "404") and doing == "checking the bucket":
            return PublishConfigError(f"bucket {target.bucket!r} does not exist at "
                                      f"{target.endpoint_url or 'AWS S3'}",
                                      hint="create it, or fix publish.bucket / --bucket")
        if code == "NoSuchBucket":
            return PublishConfigError(f"bucket {target.bucket!r} does not exist",
                                      hint="create it, or fix publish.bucket / --bucket")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                    "ExpiredToken", "AuthorizationHeaderMalformed"):
            return PublishConfigError(f"the S3 credentials were rejected ({code}) at {where}",
                                      hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            return PublishConfigError(f"access denied while {doing} {where}",
                                      hint="check the credentials and that they may read, "
                                           "write, list and delete under the prefix")
        return PublishError(f"the storage server refused {doing} {where}: {code or exc}")
    return PublishError(f"{doing} {where} failed: {exc.__class__.__name__}: {exc}")


# --- reading the remote side -------------------------------------------------------------


def server_date(response: Mapping[str, Any] | None) -> datetime | None:
    """The server's clock from a response's Date header (None when absent or unreadable)."""
    headers = ((response or {}).get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
    try:
        return parsedate_to_datetime(str(headers["date"])).replace(microsecond=0)
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def check_bucket(client: Any, target: Target) -> datetime | None:
    """Fail early and clearly on a missing bucket, bad credentials or an unreachable server.

    Returns the server's clock (its Date header): object ages are computed from it, never
    from this machine's clock, which may be days off.
    """
    try:
        return server_date(client.head_bucket(Bucket=target.bucket))
    except Exception as exc:
        if code_of(exc) in ("403", "400"):
            # A HEAD response has no body, so "403" may be bad keys or a missing permission:
            # a one-key listing returns the real error code to report.
            try:
                r = client.list_objects_v2(Bucket=target.bucket, Prefix=target.prefix,
                                           MaxKeys=1)
            except Exception as exc2:
                raise translate(exc2, target, "checking the bucket") from None
            return server_date(r)
        raise translate(exc, target, "checking the bucket") from None


def get_bytes(client: Any, target: Target, rel: str) -> bytes | None:
    """An object's body, or None when it does not exist."""
    try:
        return bytes(client.get_object(Bucket=target.bucket, Key=target.key(rel))["Body"].read())
    except Exception as exc:
        if code_of(exc) in ("NoSuchKey", "404"):
            return None
        raise translate(exc, target, f"reading {rel} from") from None


def get_json(client: Any, target: Target, rel: str) -> dict[str, Any] | None:
    """A manifest-shaped JSON object from the bucket, or None when it does not exist.

    Raises CorruptRemoteObject when it exists but is not a JSON object with an artefacts
    list of entries (callers treat it as absent and say so).
    """
    body = get_bytes(client, target, rel)
    if body is None:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("artefacts", []), list):
        raise CorruptRemoteObject(f"{target.key(rel)} on the server is not a readable manifest")
    data["artefacts"] = [a for a in data.get("artefacts", []) if isinstance(a, dict)
                         and isinstance(a.get("key", ""), str)
                         and isinstance(a.get("path", ""), str)]
    return data


def list_objects(client: Any, target: Target) -> dict[str, RemoteObject] | None:
    """files/ and manifests/ under the prefix (paginated); None if listing is not allowed."""
    found: dict[str, RemoteObject] = {}
    paginator = client.get_paginator("list_objects_v2")
    try:
        for sub in ("files/", MANIFESTS_DIR):
            for page in paginator.paginate(Bucket=target.bucket, Prefix=target.key(sub)):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(target.prefix):]
                    found[rel] = RemoteObject(rel, int(obj["Size"]), obj["LastModified"])
    except Exception as exc:
        if code_of(exc) in ("AccessDenied", "403"):
            log.warning("listing %s is not allowed; relying on the remote manifest",
                        target.location)
            return None
        raise translate(exc, target, "listing") from None
    return found


def recent_manifests(
    client: Any, target: Target, listing: Mapping[str, RemoteObject] | None, keep: int,
    *, exclude: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """The `keep` newest manifests/<id>.json other than `exclude`, with their contents.

    `exclude` is the manifest about to be published: "recent" means the ones before it.
    """
    if not listing or keep <= 0:
        return []
    previous = [o for o in listing.values() if o.key.startswith(MANIFESTS_DIR)
                and not o.key.startswith(f"{MANIFESTS_DIR}partials/") and o.key != exclude]
    newest = sorted(previous, key=lambda o: (o.last_modified, o.key), reverse=True)[:keep]
    out = []
    for o in newest:
        try:
            m = get_json(client, target, o.key)
        except CorruptRemoteObject as e:  # skipped: it protects nothing it cannot describe
            log.warning("%s; ignored", e.message)
            continue
        if m is not None:
            out.append((o.key, m))
    return out


def fetch_remote_manifest(target: Target, client: Any = None) -> dict[str, Any] | None:
    """The live published manifest (with each artefact's `key`), or None before a first publish.

    The build uses it on a fresh checkout (`shareables publish --build`): artefacts whose
    cache_key matches a published entry are taken as already present instead of rendered.
    """
    with quiet_third_party_logs():
        client = client or make_client(target)
        check_bucket(client, target)
        try:
            return get_json(client, target, MANIFEST_KEY)
        except CorruptRemoteObject as e:
            log.warning("%s; building as if nothing were published", e.message)
            return None
