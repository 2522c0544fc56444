"""Cold build CPU: N designs x the 12 platforms of the repository's shareables.yaml.

    .venv/bin/python benchmarks/cold.py [--designs 30] [--jobs 1] [--profile]
    .venv/bin/python benchmarks/cold.py --compare /path/to/other/checkout [--rounds 2]

Runs `shareables build --force` in a subprocess (interpreter start-up included) and prints
the CPU (user + sys of the whole process tree) and wall time. `--profile` runs the build in
this process under cProfile instead and prints where the CPU goes, by stage. `--compare`
builds the same project with this checkout and another one in turn (`--rounds` times each,
alternating who goes first) and prints both medians and their ratio. Both checkouts' .pyc
files are written first, as an install does.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import REPO, generate  # noqa: E402

BUILD = "import sys; from shareables.cli import main; sys.argv[0] = 'shareables'; main()"

STAGES = {
    "render (compose.render_variant)": "shareables/render/compose.py:render_variant",
    "  of which fit (text.fit)": "shareables/text/fit.py:fit",
    "encode (encode.encode_image)": "shareables/render/encode.py:encode_image",
    "  of which palette PNG": "shareables/render/encode.py:_palette",
    "thumbnails (worker.thumbnails)": "shareables/build/worker.py:thumbnails?",
    "bundles (zip)": "shareables/build/bundling.py:_bundle",
    "page (render_page)": "shareables/build/pages.py:render_page",
    "load designs": "shareables/project/design.py:load_designs",
}


def project(root: Path, designs: int) -> Path:
    generate(root, designs)
    settings = (root / "shareables.yaml").read_text()
    every = re.search(r"^platforms:.*?(?=^\S)", (REPO / "shareables.yaml").read_text(),
                      flags=re.S | re.M)
    assert every is not None
    (root / "shareables.yaml").write_text(settings + every.group(0))
    return root


def cpu_of(cmd: list[str], cwd: Path, env: dict[str, str] | None = None
           ) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, out.stdout[-300:] + out.stderr[-600:]


def stage_profile(root: Path, jobs: int) -> None:
    from shareables.build.pipeline import build_project

    prof = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    t0 = time.process_time()
    prof.enable()
    result = build_project(root, force=True, jobs=jobs)
    prof.disable()
    total = time.process_time() - t0
    stats = pstats.Stats(prof)
    cum: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for stage, pattern in STAGES.items():
            path, name = pattern.split(":")
            if file.endswith(path) and re.fullmatch(name, func):
                cum[stage] = max(cum.get(stage, 0.0), ct)
    print(f"in-process build: {total:.2f} s CPU, {result.rendered} images rendered")
    for stage, secs in cum.items():
        print(f"  {stage:36s} {secs:6.2f} s  {100 * secs / total:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--validate-first", action="store_true",
                    help="run `shareables validate` before the build and report both")
    ap.add_argument("--compare", type=Path, default=None,
                    help="also build with the shareables checkout in DIR, alternating")
    ap.add_argument("--rounds", type=int, default=2, help="builds per checkout (--compare)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = project(Path(tmp) / "proj", args.designs)
        if args.profile:
            stage_profile(root, args.jobs)
            return
        if args.compare is not None:
            compare(root, args.compare, args.jobs, args.rounds)
            return
        env_py = [sys.executable, "-c", BUILD]
        if args.validate_first:
            cpu, wall, tail = cpu_of([*env_py, "validate"], root)
            print(f"validate: {cpu:.2f} s CPU, {wall:.2f} s wall")
        cpu, wall, tail = cpu_of([*env_py, "build", "--force" if not args.validate_first
                                  else "--jobs", *([] if args.validate_first else ["--jobs"]),
                                  str(args.jobs)], root)
        print(f"build: {cpu:.2f} s CPU, {wall:.2f} s wall; {tail.strip().splitlines()[-1:]}")
        print("files:", sum(1 for _ in (root / "output").rglob("*") if _.is_file()),
              "bytes:", sum(p.stat().st_size for p in (root / "output").rglob("*")
                            if p.is_file()))
        _ = os


def compare(root: Path, other: Path, jobs: int, rounds: int) -> None:
    """This checkout and `other` in turn on the same project: CPU medians and the ratio."""
    for checkout in (REPO, other):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "shareables")],
                       check=True)
    runs: dict[str, list[tuple[float, float]]] = {"this": [], other.name: []}
    envs = {"this": None, other.name: {**os.environ, "PYTHONPATH": str(other)}}
    cmd = [sys.executable, "-c", BUILD, "build", "--force", "--jobs", str(jobs)]
    for r in range(rounds):
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]
        for name in order:
            cpu, wall, tail = cpu_of(cmd, root, envs[name])
            runs[name].append((cpu, wall))
            print(f"round {r + 1} {name}: {cpu:.2f} s CPU, {wall:.2f} s wall; "
                  f"{tail.strip().splitlines()[-1:]}", file=sys.stderr)
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
           for k, v in runs.items()}
    for name, (cpu, wall) in med.items():
        print(f"{name}: {cpu:.2f} s CPU, {wall:.2f} s wall (median of {rounds})")
    a, b = med["this"][0], med[other.name][0]
    print(f"this / {other.name}: {a / b:.2f} (CPU)")


if __name__ == "__main__":
    main()
