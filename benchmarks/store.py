"""Identical files stored once: bytes in output/, objects and bytes a first publish uploads,
zip bytes — on a generated project and on the shipped designs, for one or more checkouts.

    .venv/bin/python benchmarks/store.py [--designs 30] [--compare /path/to/other/checkout]

Each checkout builds the same two projects (N generated designs x the 12 platforms of the
repository's shareables.yaml; the shipped designs/ for every platform) with its own
.venv/bin/python in a subprocess, then publishes each to a fresh bucket of one real local
SeaweedFS. Sizes only (no timing), so the figures do not depend on the machine's load.

- `apparent`: the sum of the files' sizes under output/ (what `du --apparent-size` counts);
- `on disk`: each inode once (hard links share one), i.e. what the disk actually holds;
- `zips`: bytes of every *.zip under output/;
- `objects` / `uploaded`: files/ objects in the bucket after the first publish, and bytes;
  `views`: the bytes of those that are the page's inline copies of images (`files/<sha>/view/`,
  the same bytes served inline so iPhones offer "Save to Photos").
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold import project as generated_project  # noqa: E402
from generate import REPO  # noqa: E402

CLI = "import sys; from shareables.cli import main; sys.argv[0] = 'shareables'; main()"


def shipped_project(root: Path, repo: Path) -> Path:
    """The repository's own designs and settings, with every platform of the table."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("designs", "brand", "fonts"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "shareables.yaml", root / "shareables.yaml")
    return root


def sizes(out: Path) -> dict[str, int]:
    apparent = disk = zips = files = 0
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, names in os.walk(out):
        dirnames[:] = [d for d in dirnames if d != ".shareables"]
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            files += 1
            apparent += st.st_size
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                disk += st.st_size
            if name.endswith(".zip"):
                zips += st.st_size
    return {"files": files, "apparent": apparent, "disk": disk, "zips": zips}


def bucket_files(server: object, bucket: str) -> dict[str, int]:
    client = server.client()  # type: ignore[attr-defined]
    row = {"objects": 0, "uploaded": 0, "views": 0}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                  Prefix="p/files/"):
        for obj in page.get("Contents", []):
            row["objects"] += 1
            row["uploaded"] += obj["Size"]
            if "/view/" in obj["Key"]:
                row["views"] += obj["Size"]
    return row


def run(checkout: Path, proj: Path, server: object, env: dict[str, str]) -> dict[str, int]:
    python = checkout / ".venv" / "bin" / "python"
    out = proj / "output"
    subprocess.run([str(python), "-c", CLI, "build"], cwd=proj, env=env,
                   check=False, capture_output=True)
    row = sizes(out)
    bucket = "b-" + secrets.token_hex(5)
    server.create_bucket(bucket)  # type: ignore[attr-defined]
    done = subprocess.run(
        [str(python), "-c", CLI, "publish", "--bucket", bucket, "--prefix", "p/",
         "--endpoint-url", server.endpoint], cwd=proj, env=env,  # type: ignore[attr-defined]
        check=False, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"publish failed in {checkout}: {done.stdout[-800:]}{done.stderr[-800:]}")
    row.update(bucket_files(server, bucket))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=30)
    ap.add_argument("--compare", type=Path, action="append", default=[],
                    help="another checkout (with its own .venv) to measure the same way")
    args = ap.parse_args()
    from shareables.local.seaweed import SeaweedServer

    checkouts = [*args.compare, REPO]
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        base = Path(tmp)
        key, secret = "bench-admin", secrets.token_hex(12)
        server = SeaweedServer(base / "seaweed", access_key=key, secret_key=secret)
        server.start(timeout=90)
        env = {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
               "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
        try:
            rows = []
            for i, checkout in enumerate(checkouts):
                for label, make in ((f"{args.designs} generated designs",
                                     lambda r: generated_project(r, args.designs)),
                                    ("shipped designs", lambda r, c=checkout:
                                     _every_platform(shipped_project(r, c)))):
                    proj = make(base / f"{i}-{label.split()[-2]}")
                    rows.append((checkout, label, run(checkout, proj, server, env)))
        finally:
            server.kill()
    cols = ("files", "apparent", "disk", "zips", "objects", "uploaded", "views")
    print("| checkout | project | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 2) + "|")
    for checkout, label, row in rows:
        cells = [str(row[c]) if c in ("files", "objects") else f"{row[c] / 1e6:.2f} MB"
                 for c in cols]
        print(f"| {checkout} | {label} | " + " | ".join(cells) + " |")


def _every_platform(root: Path) -> Path:
    """Widen the project's platform list to the whole table (as `make demo` does)."""
    from shareables.platforms import PLATFORMS

    text = (root / "shareables.yaml").read_text()
    every = "platforms:\n" + "".join(f"  - {p}\n" for p in PLATFORMS)
    text = re.sub(r"^platforms:.*?(?=^\S)", every, text, flags=re.S | re.M)
    (root / "shareables.yaml").write_text(text)
    return root


if __name__ == "__main__":
    main()
