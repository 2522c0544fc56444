"""CI at scale, side by side in one run: where renders run, and what a pull request renders.

    .venv/bin/python benchmarks/scale.py --designs 40

1. Cold build of a generated project (benchmarks/generate.py), three ways:
   - the local process pool (`build -j 2`);
   - a Dask cluster of 2 single-threaded worker processes (`build --executor dask://…`);
   - 2 shards, each pinned to one core (`taskset`, like two 1-CPU runners), run at the same
     time with `publish --shard K/2`, then `publish --merge` (real SeaweedFS).
   Wall time and CPU time (user + sys of every process involved, from the kernel's rusage of
   waited-for children: build workers, Dask scheduler and workers, shard processes).
2. The pull-request path after one design is edited, on a fresh checkout (no output/):
   - today's: `validate` (dry-renders everything) then `build` (renders everything again);
   - now: `validate --no-render` then `build --from` (published renders downloaded and
     SHA-256 verified, only the edited design rendered).

Every command runs as a subprocess on a snapshot of the package (edits to the tree during a
run cannot change it). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import REPO, generate  # noqa: E402

CLI = "import sys; from shareables.cli import main; sys.argv[0] = 'shareables'; main()"


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], env: dict[str, str], cwd: Path, *, pin: str | None = None
        ) -> subprocess.Popen[bytes]:
    full = [sys.executable, "-c", CLI, *cmd]
    if pin is not None:
        full = ["taskset", "-c", pin, *full]
    return subprocess.Popen(full, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[bytes], what: str) -> bytes:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return out


def timed(label: str, fn: Any) -> dict[str, Any]:
    c0, t0 = cpu_children(), time.perf_counter()
    extra = fn() or {}
    return {"label": label, "wall": time.perf_counter() - t0, "cpu": cpu_children() - c0,
            **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def images(report: bytes) -> dict[str, Any]:
    data = json.loads(report)
    return {"rendered": data["rendered"], "cached": data["cached"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=40)
    ap.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="shareables-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    pkg = tmp / "pkg" / "shareables"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(REPO / "shareables", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(pkg.parent)}
    project = generate(tmp / "project", args.designs)
    rows: list[dict[str, Any]] = []

    def out(name: str) -> Path:
        d = tmp / name
        shutil.rmtree(d, ignore_errors=True)
        return d

    # 1a. process pool
    rows.append(timed("cold build, process pool (-j 2)", lambda: images(finish(run(
        ["build", "--project", str(project), "--output", str(out("pool")), "-j", "2",
         "--format", "json"], env, project), "pool build"))))

    # 1b. Dask: a scheduler and 2 single-threaded worker processes, started for the build
    def dask() -> dict[str, Any]:
        port = free_port()
        bindir = Path(sys.executable).parent
        sched = subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers = subprocess.Popen([str(bindir / "dask"), "worker", f"tcp://127.0.0.1:{port}",
                                    "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                                   env=env, cwd=project, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            _wait_workers(port, 2, env)
            t0 = time.perf_counter()
            report = images(finish(run(
                ["build", "--project", str(project), "--output", str(out("dask")),
                 "--executor", f"dask://127.0.0.1:{port}", "--format", "json"], env, project),
                "dask build"))
            report["note"] = f"build alone {time.perf_counter() - t0:.1f} s once workers are up"
        finally:
            for p in (workers, sched):
                p.terminate()
                p.wait(30)
        return report

    rows.append(timed("cold build, Dask: 2 worker processes (incl. cluster start)", dask))
    same = _same_files(tmp / "pool", tmp / "dask")

    # 1c. two shards (one core each) at once, then the merge, against a real SeaweedFS
    from shareables.local.seaweed import SeaweedServer

    server = SeaweedServer(tmp / "seaweed", access_key="bench", secret_key=secrets.token_hex(8))
    server.start(timeout=60)
    try:
        server.create_bucket("bench")
        s3env = {**env, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": server.secret_key,
                 "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                 "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                 "SHAREABLES_BUCKET": "bench", "SHAREABLES_PREFIX": "site/",
                 "SHAREABLES_ENDPOINT_URL": server.endpoint}
        url = f"{server.endpoint}/bench/site/"

        def shards() -> dict[str, Any]:
            procs = [run(["publish", "--project", str(project), "--output", str(out(f"s{k}")),
                          "--shard", f"{k}/2", "--run-id", "bench-1"], s3env, project,
                         pin=str(k - 1)) for k in (1, 2)]
            for k, p in enumerate(procs, 1):
                finish(p, f"shard {k}")
            finish(run(["publish", "--project", str(project), "--merge", "bench-1",
                        "--shards", "2"], s3env, project), "merge")
            return {}

        rows.append(timed("cold build, 2 shards (1 core each) + merge, published", shards))
        live = json.loads(_get(url + "manifest.json"))
        pool_manifest = json.loads((tmp / "pool/manifest.json").read_text())
        merged_same = {(a["path"], a["sha256"]) for a in live["artefacts"]} == {
            (a["path"], a["sha256"]) for a in pool_manifest["artefacts"]}

        # 2. the pull-request path after one edit, on a fresh checkout
        edited = sorted((project / "designs").rglob("*.yaml"))[0]
        text = edited.read_text()
        edited.write_text(text.replace("text: ", "text: Edited. ", 1) if "text: " in text
                          else text + "\ncaption: Edited for the benchmark.\n")

        def today() -> dict[str, Any]:
            finish(run(["validate", "--project", str(project)], env, project), "validate")
            return images(finish(run(["build", "--project", str(project), "--output",
                                      str(out("pr-old")), "--format", "json"], env, project),
                                 "build"))

        def now() -> dict[str, Any]:
            finish(run(["validate", "--project", str(project), "--no-render"], env, project),
                   "validate --no-render")
            return images(finish(run(["build", "--project", str(project), "--output",
                                      str(out("pr-new")), "--from", url, "--format", "json"],
                                     env, project), "build --from"))

        rows.append(timed("PR, today: validate (renders all) + build (renders all)", today))
        rows.append(timed("PR, now: validate --no-render + build --from (renders the change)",
                          now))
        pr_same = _same_files(tmp / "pr-old", tmp / "pr-new")
    finally:
        server.kill()

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n{args.designs} generated designs, {len(pool_manifest['artefacts'])} artefacts; "
          f"{os.cpu_count()} CPUs; {when}")
    print("\n| run | wall s | CPU s | images rendered | reused | |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['label']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r.get('rendered', '-')} | "
              f"{r.get('cached', '-')} | {r.get('note', '')} |")
    print(f"\nDask output byte-identical to the pool's: {same}; merged site = single build: "
          f"{merged_same}; PR outputs identical (old vs new path): {pr_same}")


def _wait_workers(port: int, n: int, env: dict[str, str]) -> None:
    from distributed import Client

    with Client(f"tcp://127.0.0.1:{port}", timeout="30s") as c:
        c.wait_for_workers(n, timeout=60)


def _same_files(a: Path, b: Path) -> bool:
    """Every output file byte-identical (the manifest compared without its built_at stamp)."""
    def files(d: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in d.rglob("*"):
            if p.is_file() and ".shareables" not in p.parts:
                data: Any = p.read_bytes()
                if p.name == "manifest.json":
                    data = {k: v for k, v in json.loads(data).items() if k != "built_at"}
                out[p.relative_to(d).as_posix()] = data
        return out
    return files(a) == files(b)


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as r:
        return bytes(r.read())


if __name__ == "__main__":
    main()
