"""`build --from URL`: reuse published renders instead of drawing them again.

Any machine that can read the published site (a laptop, a pull-request job without secrets,
a CI shard) fetches its manifest.json over plain HTTPS and, for every job whose cache key the
published manifest lists, downloads the files (`<URL><key>`) instead of rendering them. Each
download must have the size and SHA-256 the manifest gives, or it is rejected and the job is
rendered as usual. This is the only part of a build that touches the network, and only when
asked to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ShareablesError
from .steps import BuildSteps, Entry

if TYPE_CHECKING:
    from .plan import Job, Plan


TIMEOUT = 30.0
DOWNLOADS = 8


class FetchError(ShareablesError):
    """The published site cannot be read (exit 2: nothing was built)."""

    exit_code = 2


@dataclass(frozen=True)
class Published:
    """What `build --from` starts from: the site's manifest and recorded render times."""

    base: str
    manifest: dict[str, Any] | None
    durations: dict[str, float]


def _get(url: str) -> bytes | None:
    """GET url -> body, None on 404/403 (not published yet); other failures raise."""
    import urllib.error  # here, not at the top: every build imports this module, few fetch
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:  # noqa: S310 - http(s) only
            return bytes(r.read())
    except urllib.error.HTTPError as e:
        if e.code in (403, 404):
            return None
        raise FetchError(f"{url}: HTTP {e.code}", hint="check --from / publish.public_url") \
            from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise FetchError(f"cannot read {url}: {reason}",
                         hint="check --from / publish.public_url, or build without --from") \
            from None


def fetch_published(base: str) -> Published:
    """manifest.json and durations.json under `base` (a site URL ending in /)."""
    if not base.startswith(("http://", "https://")):
        raise FetchError(f"--from needs an http(s) URL of a published site, not {base!r}",
                         hint="e.g. --from https://example.org/shareables/")
    base = base.rstrip("/") + "/"
    manifest = _json(base + "manifest.json")
    if manifest is not None and not isinstance(manifest.get("artefacts"), list):
        raise FetchError(f"{base}manifest.json has no artefacts list",
                         hint="is this the URL of a shareables site?")
    durations = _json(base + "durations.json") or {}
    return Published(base, manifest, {str(k): float(v) for k, v in durations.items()
                                      if isinstance(v, (int, float))})


def _json(url: str) -> dict[str, Any] | None:
    body = _get(url)
    if body is None:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        raise FetchError(f"{url} is not JSON", hint="is this the URL of a shareables site?") \
            from None
    return data if isinstance(data, dict) else None


def download_verified(base: str, entries: Iterable[dict[str, Any]]
                      ) -> dict[str, bytes | str]:
    """path -> verified bytes, or -> why the published copy was rejected.

    Files several platforms share are one object (publish/plan.py): each key is fetched
    once, and checked against every entry that names it.
    """
    by_key: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_key.setdefault(str(e["key"]), []).append(e)

    def one(key: str) -> tuple[str, bytes | str]:
        try:
            data = _get(base + key)
        except FetchError as err:
            return key, str(err)
        return key, "not found on the published site" if data is None else data

    with ThreadPoolExecutor(DOWNLOADS, thread_name_prefix="fetch") as pool:
        fetched = dict(pool.map(one, by_key))
    out: dict[str, bytes | str] = {}
    for key, named in by_key.items():
        data = fetched[key]
        sha = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else None
        for e in named:
            if isinstance(data, bytes) and (len(data) != e.get("bytes")
                                            or sha != e.get("sha256")):
                out[e["path"]] = (f"published copy has SHA-256 {str(sha)[:12]}…, the manifest "
                                  f"says {str(e.get('sha256'))[:12]}… (rejected, rendered "
                                  f"instead)")
            else:
                out[e["path"]] = data
    return out


class DownloadStep(BuildSteps):
    """The build's `--from` step (a mixin of pipeline._Build; steps.py declares its state)."""

    def _download(self, plan: Plan, base: str) -> None:
        """`--from`: fetch the published files of jobs whose cache key matches, verified."""
        wanted: list[tuple[Job, list[Entry]]] = []
        for job in plan.jobs:
            group = self.remote.get(job.ident, [])
            if self.force or not group or not all(
                    e.get("cache_key") == job.key and e.get("key") for e in group):
                continue
            old = self.old.get(job.ident, [])
            if old and all(e.get("cache_key") == job.key and self._valid(e) == "local"
                           for e in old):
                continue  # already here
            wanted.append((job, group))
        got = download_verified(base, [e for _, group in wanted for e in group])
        # Only what arrives intact counts: the output is self-contained (zips are re-made
        # from the downloaded members), never "present on the server" as publish --build has.
        remote, self.remote = self.remote, {}
        reused = 0
        for job, group in wanted:
            bad = [f"{e['path']}: {why}" for e in group
                   if isinstance(why := got.get(e["path"]), str)]
            if bad:  # render it instead; never take the published entry as present
                self.notes.extend(f"not reused from {base}: {b}" for b in bad)
                continue
            # Now a local file like any other: adopted as if the last build had made it.
            self.old[job.ident] = [{k: v for k, v in e.items() if k != "key"}
                                   for e in remote[job.ident]]
            self._expect_rewrites(job)  # before self.old names the downloaded files
            for e in group:
                data = got[e["path"]]
                assert isinstance(data, bytes)
                written = self.writer.write(e["path"], data, owner=job.owner)
                self.hasher.record(self.out / e["path"], written.sha256)
            reused += 1
        if reused:
            self.notes.append(f"{reused} jobs reused from {base} (SHA-256 verified)")


__all__ = ["DownloadStep", "FetchError", "Published", "download_verified", "fetch_published"]
