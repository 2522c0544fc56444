"""Clips through the pipeline: plan and cache keys, manifest entries, bundles, publish.

One real build of a small project (X only, one design with a 2-second clip) is shared by the
module; the publish test uploads it to a real SeaweedFS.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("av")

from click.testing import CliRunner  # noqa: E402
from fixtures_project import make_project  # noqa: E402

from shareables.build.pipeline import build_project  # noqa: E402
from shareables.cli import main  # noqa: E402
from shareables.publish.protocol import Reporter, Target, make_client, publish  # noqa: E402

MOTION = "\nmotion: {platforms: [x-video], duration: 2, hold: 0.5}\n"
DARWISH = "designs/palestine/darwish-on-this-earth.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = make_project(tmp_path_factory.mktemp("mbuild") / "project", platforms=("x",))
    (root / DARWISH).write_text((root / DARWISH).read_text() + MOTION)
    return root, build_project(root, jobs=2)


def _clips(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in manifest["artefacts"] if a["role"] == "clip"]


def test_the_manifest_lists_each_clip_with_duration_poster_and_captions(built) -> None:
    root, result = built
    assert not result.errors
    clips = _clips(result.manifest)
    assert sorted(a["path"] for a in clips) == [
        "palestine/darwish-on-this-earth/ar/x-video.mp4",
        "palestine/darwish-on-this-earth/en/x-video.mp4"]
    by_path = {a["path"]: a for a in result.manifest["artefacts"]}
    for c in clips:
        assert c["content_type"] == "video/mp4" and c["platform"] == "x-video"
        assert (c["width"], c["height"]) == (1280, 720) and c["duration"] == 2.0
        poster, captions = by_path[c["poster"]], by_path[c["captions"]]
        assert poster["role"] == "poster" and poster["of"] == c["path"]
        assert poster["content_type"] == "image/jpeg"
        assert captions["content_type"] == "text/vtt" and captions["of"] == c["path"]
        assert (root / "output" / captions["path"]).read_text().startswith("WEBVTT")
    # Designs without `motion:` get no clip: it is off unless asked.
    assert {a["design"] for a in clips} == {"darwish-on-this-earth"}


def test_the_bundle_carries_the_clip_and_its_captions(built) -> None:
    root, result = built
    bundle = next(a for a in result.manifest["artefacts"] if a["role"] == "bundle"
                  and a["design"] == "darwish-on-this-earth" and a["lang"] == "ar")
    with zipfile.ZipFile(root / "output" / bundle["path"]) as z:
        names = z.namelist()
        readme = z.read("darwish-on-this-earth-ar/README.txt").decode()
    assert "darwish-on-this-earth-ar/x-video.mp4" in names
    assert "darwish-on-this-earth-ar/x-video.vtt" in names
    assert "X (Twitter) video" in readme


def test_a_rebuild_with_nothing_changed_renders_no_clip(built) -> None:
    root, _ = built
    again = build_project(root, jobs=2)
    assert again.jobs_rendered == 0 and again.rendered == 0
    assert {s["status"] for s in again.statuses if s.get("role") == "clip"} == {"cached"}


def test_changing_only_motion_renders_only_the_clips(built, tmp_path: Path) -> None:
    root, _ = built
    text = (root / DARWISH).read_text()
    try:
        (root / DARWISH).write_text(text.replace("hold: 0.5", "hold: 0.6"))
        r = build_project(root, jobs=2)
        rendered = {(s["platform"], s["role"]) for s in r.statuses if s["status"] == "rendered"}
        assert ("x-video", "clip") in rendered
        assert not [p for p, role in rendered if role in ("image", "slide")]
    finally:
        (root / DARWISH).write_text(text)
        build_project(root, jobs=2)


def test_a_project_default_turns_motion_on_for_every_design(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", platforms=("x",))
    settings = root / "shareables.yaml"
    settings.write_text(settings.read_text() + "\nmotion: {platforms: [x-video], duration: 1}\n")
    for f in (root / "designs").rglob("*.yaml"):
        if f.name != "share-palestine.yaml":
            f.write_text(f.read_text() + "\nmotion: false\n")
    r = build_project(root, jobs=1)
    assert not r.errors
    assert [a["design"] for a in _clips(r.manifest)] == ["share-palestine"]


def test_bad_motion_fields_are_reported_with_file_line_and_choices(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", platforms=("x",))
    f = root / DARWISH
    f.write_text(f.read_text() + "\nmotion: {reveal: word, platforms: [tiktoc]}\n")
    r = CliRunner().invoke(main, ["validate", "--project", str(root)])
    assert r.exit_code == 1, r.output
    assert f"{DARWISH}:" in r.output and "motion.reveal" in r.output
    assert "words" in r.output and "tiktok" in r.output
    assert "Traceback" not in r.output


@pytest.mark.s3
def test_publish_serves_clips_as_video_mp4(built, s3_server, s3_bucket, s3_env) -> None:
    root, _ = built
    target = Target(bucket=s3_bucket, prefix="site/", endpoint_url=s3_server.endpoint)
    client = make_client(target, attempts=2, jobs=4)
    result = publish(root / "output", target, client=client,
                     reporter=Reporter(lambda _: None, tty=False))
    published = json.loads(json.dumps(result.plan.manifest))
    admin = s3_server.client()
    for a in published["artefacts"]:
        if a["role"] not in ("clip", "captions"):
            continue
        head = admin.head_object(Bucket=s3_bucket, Key=target.key(a["key"]))
        assert head["ContentLength"] == a["bytes"]
        if a["role"] == "clip":
            assert head["ContentType"] == "video/mp4"
            assert head["ContentDisposition"].startswith("attachment; filename=")
            assert head["ContentDisposition"].endswith('-x-video.mp4"')
        else:
            assert head["ContentType"] == "text/vtt"
            assert head["ContentDisposition"] == "inline"
