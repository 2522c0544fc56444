"""Fixtures: a real SeaweedFS S3 server on free loopback ports, and small build outputs.

- `s3_server`: one `weed mini` for the session (admin key pair + anonymous read).
- `s3_own_server`: a private server for tests that kill and restart it.
- `s3_bucket`: a fresh, empty bucket on the session server for each test.
- `s3_env`: AWS_* variables pointing boto3's standard chain at the admin key pair.
- `make_output`: writes an output/ directory (real PNG/JPEG bytes + manifest.json in the
  docs/architecture.md format), so publish tests do not depend on the renderer.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import secrets
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shareables.local.seaweed import SeaweedServer

ACCESS_KEY = "shareables-test-admin"
SECRET_KEY = "test-secret-" + secrets.token_hex(12)
"""Random per run, so the no-secret-in-logs test cannot pass by coincidence."""

_live: list[SeaweedServer] = []


@atexit.register
def _kill_leftovers() -> None:
    # A Ctrl+C can skip fixture finalisers: never leave a weed process behind.
    for server in _live:
        if server.alive():
            server.kill()


def _start(data_dir: Path) -> SeaweedServer:
    server = SeaweedServer(data_dir, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    _live.append(server)
    return server.start(timeout=60)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = _start(tmp_path_factory.mktemp("seaweed") / "data")
    yield server
    server.kill()  # its data is a temp dir: no need to wait for a clean shutdown


@pytest.fixture
def s3_own_server(tmp_path: Path) -> Iterator[SeaweedServer]:
    """A server this test may kill and restart on the same data directory."""
    server = _start(tmp_path / "seaweed")
    yield server
    server.kill()


@pytest.fixture
def s3_bucket(s3_server: SeaweedServer) -> str:
    name = "t-" + secrets.token_hex(6)
    s3_server.create_bucket(name)
    return name


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The standard AWS chain resolves to the admin keys (and nothing from ~/.aws)."""
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


# --- a small build output, written the way writer.py does it ------------------------------


def _image(seed: str, size: tuple[int, int], fmt: str) -> bytes:
    from PIL import Image, ImageDraw

    digest = hashlib.sha256(seed.encode()).digest()
    img = Image.new("RGB", size, tuple(digest[:3]))
    ImageDraw.Draw(img).rectangle((4, 4, size[0] // 2, size[1] // 2), fill=tuple(digest[3:6]))
    buf = io.BytesIO()
    img.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


def write_output(
    out: Path,
    designs: dict[str, str],
    *,
    platforms: tuple[str, ...] = ("instagram-square", "x"),
    campaign: str = "test",
) -> dict[str, Any]:
    """output/ with, per design: one image per platform, a thumbnail each, and a zip bundle.

    `designs` maps a design id to its text; changing the text changes its bytes and hashes
    (like editing the YAML), so tests can "edit" one design. Returns the manifest.
    """
    out.mkdir(parents=True, exist_ok=True)
    for old in out.rglob("*"):  # a rebuild replaces the previous output
        if old.is_file():
            old.unlink()
    artefacts: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []

    def add(path: str, data: bytes, **fields: Any) -> None:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
        artefacts.append({"campaign": campaign, "kind": "quote", "lang": "en", "slide": None,
                          "of": None, "path": path, "bytes": len(data),
                          "sha256": hashlib.sha256(data).hexdigest(), "alt": "alt text",
                          "caption": "caption", **fields})

    for design, text in designs.items():
        source_hash = hashlib.sha256(text.encode()).hexdigest()
        base = f"{campaign}/{design}/en"
        members = []
        for i, platform in enumerate(platforms):
            fmt, ext, ct = (("JPEG", "jpg", "image/jpeg") if i % 2 == 0
                            else ("PNG", "png", "image/png"))
            data = _image(f"{text}/{platform}", (96, 64), fmt)
            path = f"{base}/{platform}.{ext}"
            cache_key = hashlib.sha256(f"{source_hash}/{platform}".encode()).hexdigest()
            add(path, data, design=design, platform=platform, role="image", width=96, height=64,
                content_type=ct, source_hash=source_hash, cache_key=cache_key)
            thumb = _image(f"{text}/{platform}/thumb", (48, 32), "JPEG")
            add(f"{base}/thumbs/{platform}.jpg", thumb, design=design, platform=platform,
                role="thumbnail", of=path, width=48, height=32, content_type="image/jpeg",
                source_hash=source_hash, cache_key=cache_key + "-thumb")
            members.append((f"{platform}.{ext}", data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name, data in members:
                z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        bundle = f"{base}/{design}-en.zip"
        add(bundle, buf.getvalue(), design=design, platform=None, role="bundle", width=None,
            height=None, content_type="application/zip", source_hash=source_hash,
            cache_key=source_hash + "-zip")
        variants.append({"design": design, "campaign": campaign, "kind": "quote", "lang": "en",
                         "dir": "ltr", "original": True, "title": None, "date": None,
                         "text": text, "slides": None,
                         "attribution": {"name": "Tester", "role": None}, "alt": "alt text",
                         "caption": "caption", "credit": None,
                         "source": f"designs/{campaign}/{design}.yaml", "source_hash": source_hash,
                         "platforms": list(platforms), "bundle": bundle, "errors": []})
    build_id = hashlib.sha256(json.dumps(sorted((a["path"], a["sha256"]) for a in artefacts))
                              .encode()).hexdigest()
    manifest = {"format": 1, "build_id": build_id, "renderer": "test",
                "brand": {"name": "MADRE", "handle": "@madrespeaks"},
                "site": {"title": "MADRE shareables", "og_image": None, "og_alt": None},
                "variants": variants, "artefacts": artefacts}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (out / "index.html").write_text("<!doctype html><title>local</title>")
    return manifest


@pytest.fixture
def make_output(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """make_output({"design-id": "text", ...}) -> manifest, written to tmp_path/'output'."""

    def make(designs: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        return write_output(tmp_path / "output", designs, **kwargs)

    return make
