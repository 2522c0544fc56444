"""The cache settles: a re-render whose bytes are unchanged still records its new cache key.

The scenario from issue #15: a library upgrade changes the renderer fingerprint (so every
cache key) but not one byte of output. The first run after it must re-render, upload nothing,
and still publish a manifest with the new keys — otherwise every later fresh-checkout run
re-renders everything again, forever. Real renderer, real SeaweedFS.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from fixtures_project import small_scaffold  # the plugin module (tests/ is on sys.path)

from shareables.build.worker import PillowRenderer
from shareables.local.seaweed import http_get
from shareables.publish.plan import LOCK_KEY
from shareables.publish.protocol import Reporter, make_client, publish_project

pytestmark = pytest.mark.s3


class VersionedRenderer(PillowRenderer):
    """The real renderer under a chosen fingerprint: "the same code, another fonttools"."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version

    def __getstate__(self) -> dict[str, Any]:
        return {"version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__({})
        self.version = state["version"]

    def fingerprint(self) -> str:
        return f"renderer-{self.version}"


def test_identical_bytes_under_a_new_fingerprint_settle_in_one_run(
        s3_server, s3_bucket, s3_env, tmp_path) -> None:
    from shareables.project.settings import load_settings

    project = small_scaffold(tmp_path / "p")
    settings = load_settings(project)
    rendered: list[str] = []

    def ci_run(version: str) -> tuple[Any, list[tuple[str, str]]]:
        """A fresh checkout: no output/, build against the published manifest, publish."""
        shutil.rmtree(project / "output", ignore_errors=True)
        client = make_client(settings_target(), attempts=2, jobs=4)
        calls: list[tuple[str, str]] = []
        client.meta.events.register(
            "provide-client-params.s3.PutObject",
            lambda params, **_: calls.append(("put", params["Key"])))
        rendered.clear()
        result = publish_project(
            settings, build_first=True, bucket=s3_bucket, prefix="settle/",
            endpoint_url=s3_server.endpoint, client=client,
            build_options={"renderer": VersionedRenderer(version), "jobs": 1},
            reporter=Reporter(lambda _: None, tty=False))
        # A fresh checkout reuses published files without downloading them: whatever
        # image is in output/ now was rendered by this run.
        rendered.extend(str(p) for p in (project / "output").rglob("*")
                        if p.suffix in (".png", ".jpg") and "thumbs" not in p.parts)
        return result, [k for _, k in calls if not k.endswith(LOCK_KEY)]

    def settings_target() -> Any:
        from shareables.publish.s3 import Target
        return Target(bucket=s3_bucket, prefix="settle/", endpoint_url=s3_server.endpoint)

    first, puts = ci_run("1")
    jobs = len(rendered)
    assert jobs >= 4 and any(k.startswith("settle/files/") for k in puts)
    live = json.loads(http_get(settings_target().base_url() + "manifest.json")[2])
    assert {a["cache_key"] for a in live["artefacts"]} and live["renderer"] == "renderer-1"

    # The upgrade: every key changes, every byte stays. One run re-renders everything...
    second, puts = ci_run("2")
    assert len(rendered) == jobs
    assert not [k for k in puts if k.startswith("settle/files/")]  # nothing new to upload
    # ...and records the new keys: manifest switched, the unchanged page left alone.
    assert "settle/manifest.json" in puts and "settle/index.html" not in puts
    assert "cache keys changed" in second.plan.switch_reason and not second.plan.page
    live2 = json.loads(http_get(settings_target().base_url() + "manifest.json")[2])
    assert live2["renderer"] == "renderer-2"
    assert {a["sha256"] for a in live2["artefacts"]} == {a["sha256"] for a in live["artefacts"]}
    def render_keys(m: dict[str, Any]) -> set[str]:  # a zip's key is its members' hashes
        return {a["cache_key"] for a in m["artefacts"] if a["role"] != "bundle"}

    assert render_keys(live2) and not render_keys(live2) & render_keys(live)

    # The next run under the same versions renders nothing and publishes nothing.
    third, puts = ci_run("2")
    assert rendered == [] and puts == [] and third.plan.up_to_date
