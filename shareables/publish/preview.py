"""`publish --dry-run` without credentials: plan against the public manifest, read over HTTP.

A designer's laptop has no S3 keys, but the published site is public. When `public_url` is set,
the live `manifest.json` is fetched from there and the same pure `plan_publish` says what a
publish would upload and switch. The bucket cannot be listed anonymously, so prunes are not
planned (the plan says so).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .plan import format_plan, plan_publish, publishable_manifest, slug
from .s3 import MANIFEST_KEY, PublishConfigError, Target, quiet_third_party_logs

TIMEOUT = 15.0


def have_credentials() -> bool:
    """Whether the standard AWS chain finds any credentials (no network for env/profile)."""
    import boto3

    with quiet_third_party_logs():
        return boto3.session.Session().get_credentials() is not None


def public_manifest(target: Target) -> dict[str, Any] | None:
    """The live manifest from public_url, or None when nothing is published yet (404)."""
    url = target.base_url() + MANIFEST_KEY
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (http/https)
            data = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        if e.code in (403, 404):  # a fresh bucket answers 404, some stores 403 for "no key"
            return None
        raise PublishConfigError(f"cannot read {url}: HTTP {e.code}",
                                 hint="check publish.public_url in shareables.yaml") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise PublishConfigError(f"cannot read {url}: {reason}",
                                 hint="check publish.public_url and the network") from None
    return data if isinstance(data, dict) else None


def dry_run_public(output_dir: Path, target: Target, local: dict[str, Any], now: Any,
                   grace: Any, force: bool = False) -> tuple[Any, list[str]]:
    """(plan, printable lines) for a dry run that reads only public URLs."""
    if not target.public_url:
        raise PublishConfigError(
            "no S3 credentials found", field="publish.public_url",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set publish.public_url "
                 "so --dry-run can read the published manifest without them")
    remote = public_manifest(target)
    brand_slug = slug(str((local.get("brand") or {}).get("name") or "shareables"))
    import hashlib

    from .pages import render_site

    pages = render_site(publishable_manifest(local, brand_slug), target)
    plan = plan_publish(local, remote, None, brand_slug=brand_slug, now=now, grace=grace,
                        index_sha256=hashlib.sha256(pages["index.html"]).hexdigest(),
                        prune=False,
                        force=force)
    lines = [f"no S3 credentials: planned against {target.base_url()}{MANIFEST_KEY} "
             "(public read; prunes are not planned)"]
    lines += format_plan(plan, location=target.location)
    return plan, lines
