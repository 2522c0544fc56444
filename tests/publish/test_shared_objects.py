"""Platforms that share bytes share one object: one upload, one name, every platform resolves.

Against the real SeaweedFS (tests/fixtures_s3.py) with a real build, plus the pure plan for
the prune and history rules when several artefacts reference one key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import small_scaffold

from shareables import platforms as platforms_mod
from shareables.build.pipeline import build_project
from shareables.local.seaweed import http_get
from shareables.platforms import Insets
from shareables.publish.plan import RemoteObject, plan_publish
from shareables.publish.protocol import Reporter, Target, make_client, publish

SHARED = ("instagram-portrait", "threads")  # the same canvas and chrome: byte-identical JPEGs


class Puts:
    """Keys of the PutObject requests publish's client sends (a botocore event hook)."""

    def __init__(self, client: Any) -> None:
        self.keys: list[str] = []
        client.meta.events.register("provide-client-params.s3.PutObject", self._put)

    def _put(self, params: dict[str, Any], **_: Any) -> None:
        self.keys.append(str(params["Key"]))

    def files(self, prefix: str) -> list[str]:
        return [k[len(prefix):] for k in self.keys if k.startswith(f"{prefix}files/")]


def _publish(out: Path, target: Target, **kw: Any) -> tuple[Any, Puts]:
    client = make_client(target, attempts=2, jobs=4)
    puts = Puts(client)
    result = publish(out, target, client=client, reporter=Reporter(lambda _: None, tty=False),
                     **kw)
    return result, puts


def _get(target: Target, key: str) -> tuple[int, dict[str, str], bytes]:
    return http_get(target.base_url() + key)


@pytest.fixture
def shared_project(tmp_path: Path) -> Path:
    return small_scaffold(tmp_path / "p", (*SHARED, "x"))


def _shared_pairs(manifest: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    # (Thumbnails are the previewed platform's only: instagram-portrait's, not threads'.)
    by_path = {a["path"]: a for a in manifest["artefacts"] if a["role"] not in ("view",
                                                                                  "thumbnail")}
    return [(a, by_path[a["path"].replace("instagram-portrait", "threads")])
            for a in by_path.values() if a["platform"] == "instagram-portrait"]


@pytest.mark.s3
def test_identical_files_are_one_object_uploaded_once_and_every_platform_resolves(
        s3_server, s3_bucket, s3_env, shared_project: Path) -> None:
    assert build_project(shared_project, jobs=1).errors == []
    target = Target(bucket=s3_bucket, prefix="site/", endpoint_url=s3_server.endpoint)
    result, puts = _publish(shared_project / "output", target)
    m = result.plan.manifest
    uploaded = puts.files(target.prefix)
    assert len(uploaded) == len(set(uploaded)) == len({a["key"] for a in m["artefacts"]})
    # Each distinct file once: no two objects hold the same bytes under the same headers.
    assert len(uploaded) == len({(k.split("/")[1], "/view/" in k) for k in uploaded})
    pairs = _shared_pairs(m)
    assert pairs
    admin = s3_server.client()
    brand = re.sub(r"[^a-z0-9]+", "-", m["brand"]["name"].lower())
    for portrait, threads in pairs:
        assert portrait["sha256"] == threads["sha256"]  # what the renderer gives
        assert portrait["key"] == threads["key"]
        if portrait["role"] == "image":
            name = f"{brand}-{portrait['design']}-{portrait['lang']}-portrait.jpg"
            assert portrait["key"] == f"files/{portrait['sha256']}/{name}"
            head = admin.head_object(Bucket=s3_bucket, Key=target.key(portrait["key"]))
            assert head["ContentDisposition"] == f'attachment; filename="{name}"'
    # Every platform the manifest lists resolves, anonymously, to its own bytes.
    assert {a["platform"] for a in m["artefacts"] if a["role"] == "image"} == {*SHARED, "x"}
    for a in m["artefacts"]:
        status, _, body = _get(target, a["key"])
        assert status == 200 and hashlib.sha256(body).hexdigest() == a["sha256"], a["path"]
    # The page links only to objects that exist, and names each download as the object does.
    listed = admin.list_objects_v2(Bucket=s3_bucket, Prefix=target.prefix)["Contents"]
    page = "".join(_get(target, o["Key"][len(target.prefix):])[2].decode()
                   for o in listed if o["Key"].endswith(".html"))  # index and campaign pages
    keys = {a["key"] for a in m["artefacts"]}
    links = {html.unescape(k) for k in re.findall(r'(?:href|src)="(files/[^"]+)"', page)}
    assert links and links <= keys
    named = re.findall(r'<a [^>]*href="(files/[^"]+)"[^>]*download="([^"]+)"', page)
    assert len(named) >= len(pairs)
    for href, name in named:
        assert href.rsplit("/", 1)[1] == name
    shared = {p["key"] for p, _ in pairs if p["role"] == "image"}
    assert shared <= links


@pytest.mark.s3
def test_republish_after_one_platform_changes_converges(
        s3_server, s3_bucket, s3_env, shared_project: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = shared_project / "output"
    build_project(shared_project, jobs=1)
    target = Target(bucket=s3_bucket, prefix="c/", endpoint_url=s3_server.endpoint)
    first, _ = _publish(out, target, keep_manifests=0, grace=timedelta(0))
    old_shared = {p["key"] for p, _ in _shared_pairs(first.plan.manifest)}

    threads = platforms_mod.PLATFORMS["threads"]
    monkeypatch.setitem(platforms_mod.PLATFORMS, "threads",
                        dataclasses.replace(threads, safe=Insets(bottom=400)))
    assert build_project(shared_project, jobs=1).errors == []
    second, puts = _publish(out, target, keep_manifests=0, grace=timedelta(0))
    m = second.plan.manifest
    for portrait, threads_entry in _shared_pairs(m):
        assert portrait["key"] != threads_entry["key"]
    reasons = {u.key: u.reason for u in second.plan.uploads}
    assert reasons and all(
        r == "renamed" or r.startswith("changed") or r == "new" for r in reasons.values())
    assert not second.plan.deletes  # the live page still used the shared objects
    for a in m["artefacts"]:
        status, _, body = _get(target, a["key"])
        assert status == 200 and hashlib.sha256(body).hexdigest() == a["sha256"], a["path"]

    third, puts = _publish(out, target, keep_manifests=0, grace=timedelta(0))
    assert puts.files(target.prefix) == [] and not third.plan.uploads
    deleted = {d.key for d in third.plan.deletes}
    assert old_shared <= deleted  # unreferenced now: pruned
    assert not deleted & {a["key"] for a in m["artefacts"]}
    fourth, puts = _publish(out, target, keep_manifests=0, grace=timedelta(0))
    assert fourth.plan.up_to_date and puts.keys == [k for k in puts.keys
                                                    if k.endswith(".publish.lock")]
    for a in m["artefacts"]:
        assert _get(target, a["key"])[0] == 200, a["path"]


# -- the plan (pure) ------------------------------------------------------------------------


def _art(pid: str, data: bytes, role: str = "image", **kw: Any) -> dict[str, Any]:
    path = f"c/d/en/{pid}.jpg" if role == "image" else f"c/d/en/thumbs/{pid}.320w.jpg"
    return {"design": "d", "campaign": "c", "kind": "quote", "lang": "en", "platform": pid,
            "slide": None, "role": role, "of": None, "path": path, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "content_type": "image/jpeg",
            "cache_key": pid, **kw}


def _manifest(artefacts: list[dict[str, Any]], build: str) -> dict[str, Any]:
    return {"format": 1, "build_id": build, "brand": {"name": "MADRE"}, "variants": [],
            "artefacts": artefacts}


def test_a_key_several_artefacts_share_stays_while_any_references_it() -> None:
    now = datetime.now(UTC)
    three = [_art(p, b"v1") for p in ("instagram-portrait", "facebook", "threads")]
    v1 = plan_publish(_manifest(three, "b1"), None, {}, brand_slug="madre", now=now,
                      grace=timedelta(0))
    shared = "files/" + three[0]["sha256"] + "/madre-d-en-portrait.jpg"
    assert [u.key for u in v1.uploads] == [shared, shared.replace("/madre", "/view/madre")]
    assert {a["key"] for a in v1.manifest["artefacts"] if a["role"] == "image"} == {shared}
    listing = {u.key: RemoteObject(u.key, u.size, now - timedelta(days=30)) for u in v1.uploads}

    # Threads changes: only its new file moves; the other two keep the shared object.
    edited = [*three[:2], _art("threads", b"v2 threads")]
    v2 = plan_publish(_manifest(edited, "b2"), v1.manifest, listing, brand_slug="madre",
                      now=now, grace=timedelta(0))
    assert [(u.path, u.reason) for u in v2.uploads if "/view/" not in u.key] == [
        ("c/d/en/threads.jpg", "changed (" + three[2]["sha256"][:12] + " -> "
         + edited[2]["sha256"][:12] + ")")]
    assert v2.uploads[0].key.endswith("/madre-d-en-threads.jpg")
    assert not v2.deletes and v2.present == 2  # the shared object and its view
    listing.update({u.key: RemoteObject(u.key, u.size, now) for u in v2.uploads})
    later = plan_publish(_manifest(edited, "b2"), v2.manifest, listing, brand_slug="madre",
                         now=now, grace=timedelta(0))
    assert later.up_to_date and not later.deletes

    # When no artefact references it any more, and no recent manifest does, it is pruned.
    alone = [_art(p, b"v3 " + p.encode()) for p in ("instagram-portrait", "facebook")]
    v3 = plan_publish(_manifest([*alone, edited[2]], "b3"), v2.manifest, listing,
                      brand_slug="madre", now=now, grace=timedelta(0))
    assert not v3.deletes  # the live manifest (b2) still references it
    gone = plan_publish(_manifest([*alone, edited[2]], "b3"), v3.manifest, listing,
                        brand_slug="madre", now=now, grace=timedelta(0))
    assert {d.key for d in gone.deletes} == {shared, shared.replace("/madre", "/view/madre")}
    kept = plan_publish(_manifest([*alone, edited[2]], "b3"), v3.manifest, listing,
                        [("manifests/b2.json", v2.manifest)], brand_slug="madre", now=now,
                        grace=timedelta(0))
    assert not kept.deletes  # a recent manifest still references it


def test_an_object_holding_a_download_and_a_preview_is_served_as_the_download() -> None:
    image = _art("instagram-portrait", b"bytes")
    thumb = _art("instagram-portrait", b"bytes", role="thumbnail", of=image["path"])
    plan = plan_publish(_manifest([image, thumb], "b"), None, {}, brand_slug="madre",
                        now=datetime.now(UTC), grace=timedelta(0))
    (obj,) = [u for u in plan.uploads if "/view/" not in u.key]
    assert obj.disposition == 'attachment; filename="madre-d-en-instagram-portrait.jpg"'


def test_a_published_key_is_kept_for_files_a_fresh_checkout_does_not_have() -> None:
    """A build on a fresh checkout adopts published renders (with their `key`, without their
    file): publish must keep referencing those objects, whatever today's name would be."""
    legacy = "files/{}/madre-d-en-threads.jpg"
    arts = [_art("instagram-portrait", b"same"), _art("threads", b"same")]
    arts[1]["key"] = legacy.format(arts[1]["sha256"])
    plan = plan_publish(_manifest(arts, "b"), None, {}, brand_slug="madre",
                        now=datetime.now(UTC), grace=timedelta(0))
    keys = {a["platform"]: a["key"] for a in plan.manifest["artefacts"] if a["role"] == "image"}
    assert keys["threads"] == legacy.format(arts[1]["sha256"])
    assert keys["instagram-portrait"].endswith("/madre-d-en-portrait.jpg")
    stale = [_art("instagram-portrait", b"same"), _art("threads", b"new bytes")]
    stale[1]["key"] = legacy.format(arts[1]["sha256"])  # another file's: not honoured
    plan = plan_publish(_manifest(stale, "b"), None, {}, brand_slug="madre",
                        now=datetime.now(UTC), grace=timedelta(0))
    assert json.dumps(plan.manifest).count(stale[1]["sha256"]) >= 2
    assert {a["key"] for a in plan.manifest["artefacts"] if a["platform"] == "threads"
            and a["role"] == "image"} == {f"files/{stale[1]['sha256']}/madre-d-en-threads.jpg"}
