"""Shards that merge into one site: `publish --shard K/N` on N machines, then `publish --merge`.

A shard (no lock: it only adds immutable objects, and switches nothing):

1. reads the live manifest.json and durations.json; splits the designs into N shards balanced
   by recorded render times (build.plan.assign_shards: every shard computes the same split);
2. builds its designs (reusing published renders whose cache key is unchanged);
3. uploads its missing files (content-addressed) and verifies every object its part references;
4. writes its partial manifest last: manifests/partials/<run-id>/<K>.json.

A shard that dies before step 4 leaves no partial and nothing live changed; rerunning it
uploads only what the listing does not already have.

The merge (under the publish lock, like any publish):

1. waits for, then reads all N partials; refuses a missing one, one from another N or renderer,
   and a stale one (a design whose source hash differs from this checkout, a design in no
   partial or in two);
2. assembles the full manifest (designs that failed to load keep their live entries);
3. checks every object it references is in the bucket, then runs the normal publish: verify
   (HEAD, size, SHA-256), switch manifests/<id>.json, manifest.json, index.html last, prune.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import PublishError, ShareablesError
from ..project.model import Settings
from .plan import MANIFEST_KEY, MANIFESTS_DIR, assign_keys, plan_publish, slug
from .s3 import get_json, list_objects
from .transfer import Reporter, _put_small, _upload_all, _verify, read_from_local_copies

PARTIALS_DIR = f"{MANIFESTS_DIR}partials/"
DURATIONS_KEY = "durations.json"
PARTIAL_FORMAT = 1
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def partial_key(run_id: str, k: int) -> str:
    return f"{PARTIALS_DIR}{run_id}/{k}.json"


def check_run_id(run_id: str | None) -> str:
    if not run_id or not RUN_ID.match(run_id):
        raise PublishError(f"--run-id {run_id!r} must be letters, digits, '.', '_' or '-'",
                           hint="in GitHub Actions: --run-id ${{ github.run_id }}")
    return run_id


# --- a shard --------------------------------------------------------------------------------


def publish_shard(settings: Settings, target: Any, client: Any, *, shard: tuple[int, int],
                  run_id: str, output_dir: Path, jobs: int, rep: Reporter,
                  build_options: Mapping[str, Any]) -> dict[str, Any]:
    """Build, upload and verify shard K of N; write its partial last. Returns the partial."""
    from ..build.pipeline import build
    from ..build.plan import assign_shards
    from ..project.design import load_designs
    from .protocol import build_progress_line

    run_id = check_run_id(run_id)
    k, n = shard
    remote = get_json(client, target, MANIFEST_KEY)
    durations = _durations(get_json(client, target, DURATIONS_KEY))
    designs, errors = load_designs(settings.project_dir, settings)
    mine = {rel for rel, s in assign_shards(designs, n, durations).items() if s == k}
    rep.line(f"shard {k}/{n}: {len(mine)} of {len(designs)} designs")
    options = {"progress": build_progress_line, **build_options}
    result = build(settings, designs, errors, output_dir=output_dir, shard=shard,
                   previous_manifest=remote, durations=durations, **options)
    for e in result.errors:
        rep.line(str(e))
    brand_slug = slug(str(settings.brand.name or "shareables"))
    partial = _partial(result.manifest, designs, mine, k=k, n=n, run_id=run_id,
                       brand_slug=brand_slug, build_errors=[str(e) for e in result.errors])
    partial["durations"] = {key: v for key, v in _durations(
        _read_json(output_dir / ".shareables" / "durations.json")).items()
        if key.split(" ")[0] in {f"{a['campaign']}/{a['design']}/{a['lang']}"
                                 for a in partial["artefacts"] if a.get("design")} | {"site"}}

    listing = list_objects(client, target)
    plan = plan_publish(partial, remote, listing, brand_slug=brand_slug,
                        now=_now(), grace=_no_grace(), prune=False)
    read_from_local_copies(plan, output_dir)
    missing = [u.path for u in plan.uploads if not (output_dir / u.path).is_file()]
    if missing:
        raise PublishError(f"shard {k}/{n}: {len(missing)} files to upload are not in "
                           f"{output_dir}, e.g. {missing[0]}", hint="rerun the shard")
    uploaded = _upload_all(client, target, output_dir, plan.uploads, jobs, rep)
    verified = _verify(client, target, output_dir, plan, jobs, rep)
    body = json.dumps(partial, ensure_ascii=False, indent=0, sort_keys=True).encode()
    _put_small(client, target, partial_key(run_id, k), body, "application/json")
    rep.line(f"shard {k}/{n} of run {run_id}: uploaded {len(uploaded)}, verified {verified}, "
             f"partial {partial_key(run_id, k)} written (nothing switched)")
    partial["exit_code"] = result.exit_code
    return partial


def _partial(manifest: Mapping[str, Any], designs: list[Any], mine: set[str], *, k: int,
             n: int, run_id: str, brand_slug: str, build_errors: list[str]) -> dict[str, Any]:
    """The shard's own slice of its build manifest (a --shard build carries the rest)."""
    variants = [v for v in manifest.get("variants", []) if v.get("source") in mine]
    dirs = {f"{v['campaign']}/{v['design']}/{v['lang']}" for v in variants}
    artefacts = [dict(a) for a in manifest.get("artefacts", [])
                 if (a.get("role") == "site-og" and k == 1) or (
                     a.get("design") and f"{a['campaign']}/{a['design']}/{a['lang']}" in dirs)]
    # Labels depend only on each variant's own files, and a variant is wholly in one shard:
    # the keys are the ones the merged manifest gives the same files.
    assign_keys(artefacts, brand_slug)
    return {
        "format": PARTIAL_FORMAT, "run_id": run_id, "shard": [k, n],
        "renderer": manifest.get("renderer"), "brand": manifest.get("brand"),
        "built_at": manifest.get("built_at"),
        "designs": {d.rel: d.source_hash for d in designs if d.rel in mine},
        "variants": variants, "artefacts": artefacts, "errors": build_errors,
    }


# --- the merge ------------------------------------------------------------------------------


def wait_for_partials(client: Any, target: Any, run_id: str, n: int, *, wait: float,
                      rep: Reporter) -> dict[int, dict[str, Any]]:
    """All N partials of the run (polling up to `wait` seconds), or a PublishError."""
    deadline = time.monotonic() + wait
    while True:
        found = {k: p for k in range(1, n + 1)
                 if (p := get_json(client, target, partial_key(run_id, k))) is not None}
        if len(found) == n:
            return found
        missing = sorted(set(range(1, n + 1)) - set(found))
        if time.monotonic() >= deadline:
            raise PublishError(
                f"merge of run {run_id}: partial manifest of shard "
                f"{', '.join(str(k) for k in missing)} of {n} is missing "
                f"({PARTIALS_DIR}{run_id}/); nothing was switched",
                hint="rerun the failed shard job(s), then the merge")
        rep.line(f"waiting for shard(s) {missing} of run {run_id}…")
        time.sleep(min(5.0, max(0.1, deadline - time.monotonic())))


def merge_manifest(settings: Settings, partials: Mapping[int, Mapping[str, Any]], n: int,
                   run_id: str, remote: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the partials against this checkout and assemble the full manifest."""
    from ..build.manifest import assemble
    from ..project.design import load_designs

    designs, errors = load_designs(settings.project_dir, settings)
    here = {d.rel: d.source_hash for d in designs}
    renderers = {p.get("renderer") for p in partials.values()}
    owner: dict[str, int] = {}
    problems: list[str] = []
    for k, p in sorted(partials.items()):
        if p.get("format") != PARTIAL_FORMAT or p.get("run_id") != run_id or \
                p.get("shard") != [k, n]:
            problems.append(f"partial {k} is not shard {k}/{n} of run {run_id} "
                            f"(it says shard {p.get('shard')}, run {p.get('run_id')})")
            continue
        for rel, sha in (p.get("designs") or {}).items():
            if rel in owner:
                problems.append(f"{rel} is in partials {owner[rel]} and {k}")
            owner[rel] = k
            if rel not in here:
                problems.append(f"stale partial {k}: {rel} is not in this checkout")
            elif here[rel] != sha:
                problems.append(f"stale partial {k}: {rel} changed since shard {k} ran")
    problems += [f"{rel} is in no partial" for rel in sorted(set(here) - set(owner))]
    if len(renderers) > 1:
        problems.append(f"the shards rendered with different renderers: "
                        f"{sorted(map(str, renderers))}")
    if problems:
        raise PublishError(f"merge of run {run_id} refused: " + "; ".join(problems[:5]) +
                           ("" if len(problems) <= 5 else f" (+{len(problems) - 5} more)"),
                           hint="rerun the shards of this commit, then the merge")
    variants = [v for p in partials.values() for v in p["variants"]]
    artefacts = [a for p in partials.values() for a in p["artefacts"]]
    # Designs that failed to load in this checkout keep their live version (as a build does).
    broken = {e.file for e in errors if isinstance(e, ShareablesError) and e.file}
    live_dirs = set()
    for v in (remote or {}).get("variants", []):
        if v.get("source") in broken:
            variants.append(v)
            live_dirs.add(f"{v['campaign']}/{v['design']}/{v['lang']}")
    artefacts += [a for a in (remote or {}).get("artefacts", []) if a.get("design") and
                  f"{a['campaign']}/{a['design']}/{a['lang']}" in live_dirs]
    fingerprint = str(next(iter(renderers)))
    merged = assemble(settings, fingerprint=fingerprint, variants=variants, artefacts=artefacts)
    stamps = [str(p["built_at"]) for p in partials.values() if isinstance(p.get("built_at"), str)]
    if stamps:  # ISO 8601 UTC: the newest shard's build time is the site's
        merged["built_at"] = max(stamps)
    return merged


def check_present(manifest: Mapping[str, Any], listing: Mapping[str, Any] | None) -> None:
    """Every object the merged manifest references is in the bucket, with its size."""
    if listing is None:
        return  # cannot list: verify (HEAD of every reference) still proves it
    bad = [a["key"] for a in manifest.get("artefacts", [])
           if (o := listing.get(a["key"])) is None or o.size != int(a["bytes"])]
    if bad:
        raise PublishError(f"{len(bad)} objects the shards reference are not in the bucket, "
                           f"e.g. {bad[0]}; nothing was switched",
                           hint="rerun the shard that built them, then the merge")


def publish_merge(settings: Settings, target: Any, client: Any, *, run_id: str, shards: int,
                  wait: float, rep: Reporter, **options: Any) -> Any:
    """`publish --merge RUN_ID --shards N`: validate, assemble, then publish under the lock."""
    from .protocol import publish

    run_id = check_run_id(run_id)
    partials = wait_for_partials(client, target, run_id, shards, wait=wait, rep=rep)
    merged = merge_manifest(settings, partials, shards, run_id,
                            get_json(client, target, MANIFEST_KEY))
    check_present(merged, list_objects(client, target))
    durations: dict[str, float] = {}
    for p in partials.values():
        durations.update(_durations(p.get("durations")))
    rep.line(f"merging run {run_id}: {shards} partials, {len(merged['artefacts'])} artefacts")
    with tempfile.TemporaryDirectory(prefix="shareables-merge-") as empty:
        # The merge has no local files: every object is already in the bucket (checked above).
        return publish(Path(empty), target, local=merged, durations=durations, client=client,
                       reporter=rep, **options)


def share_durations(client: Any, target: Any, durations: Mapping[str, float]) -> None:
    """durations.json next to the manifest: the next run's shards balance by these."""
    if durations:
        body = json.dumps(dict(sorted(durations.items())), indent=0).encode()
        _put_small(client, target, DURATIONS_KEY, body, "application/json")


def _durations(data: Any) -> dict[str, float]:
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _now() -> Any:
    from .lock import now_utc

    return now_utc()


def _no_grace() -> Any:
    from datetime import timedelta

    return timedelta(0)
