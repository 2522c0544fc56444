"""Build benchmarks, in one run: parallel speed-up, no-change and one-edit rebuilds, peak memory.

    .venv/bin/python benchmarks/run.py                 # 1,000 designs (takes minutes)
    .venv/bin/python benchmarks/run.py --designs 200   # quicker look
    .venv/bin/python benchmarks/run.py --keep /tmp/bench1000 --reuse --skip-cold
                                                       # the rebuild figures only, reusing
                                                       # the big project's cold build

Every build runs as `shareables build` in a subprocess, so times include interpreter start-up
and imports — what a user or CI job waits for. The package is snapshotted to a temp dir first,
so edits made to the tree while the benchmark runs cannot invalidate its cache half-way.

Targets: jobs 2 vs 1 >= 1.7x; peak memory of the cold 1,000-design build <= 500 MB (issue 5);
at 1,000 designs x 6 platforms (issue 18): no-change rebuild <= 1 s with 0 rendered, one
design edited <= 1.5 s rendering only its artefacts, peak RSS of any one process of those
rebuilds <= 200 MiB (the kernel's high-water mark of each process, from wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import REPO, generate  # noqa: E402

BUILD = "import sys; from shareables.cli import main; sys.argv[0] = 'shareables'; main()"


class TreeMemory:
    """Samples the summed memory of a process and all its descendants (the worker pool).

    PSS (proportional set size) splits pages shared after fork between the processes that
    share them, so the sum is the real footprint; RSS sums count shared pages once per process
    and overstate it. Both are reported.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        parents: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                parents.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(parents.get(p, []))
        return out

    @staticmethod
    def _kb(path: str, field: str) -> int:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = self._tree()
            pss = sum(self._kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            rss = sum(self._kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self._stop.wait(self.interval)


SUMMARY = re.compile(r"Built ([\d,]+) images \(([\d,]+) cached\) in ([\d.]+) s")


def build(project: Path, env: dict[str, str], *args: str, memory: bool = False,
          text: bool = False) -> dict[str, Any]:
    """Run one `shareables build --format json` (`text`: the plain command, as a person runs
    it; its summary line gives the counts); add wall time, the peak RSS of any one of its
    processes (`max_rss_mib`, exact) and, with `memory`, the sampled tree totals."""
    cmd = [sys.executable, "-c", BUILD, "build", "--project", str(project),
           *(() if text else ("--format", "json")), *args]
    t0 = time.perf_counter()
    # cwd matters: `python -c` puts the cwd first on sys.path, and from the repository that
    # would import the live tree instead of the snapshot.
    proc = subprocess.Popen(cmd, env=env, cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    if memory:
        with TreeMemory(proc.pid) as mem:
            out = proc.stdout.read()
            _, _, usage = os.wait4(proc.pid, 0)
    else:
        out = proc.stdout.read()
        _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = 0  # reaped by wait4 (its rusage has the tree's largest ru_maxrss)
    if text:
        m = SUMMARY.search(out.decode())
        assert m is not None, out
        problems = re.search(r"; (\d+) problems? in", out.decode())
        report: dict[str, Any] = {"rendered": int(m.group(1).replace(",", "")),
                                  "cached": int(m.group(2).replace(",", "")),
                                  "seconds": float(m.group(3)),
                                  "errors": [None] * int(problems.group(1) if problems else 0)}
    else:
        report = json.loads(out)
    report["wall"] = wall
    report["max_rss_mib"] = usage.ru_maxrss / 1024
    report.pop("artefacts", None)
    if memory:
        report["peak_pss_mb"] = mem.peak_pss / 1024
        report["peak_rss_mb"] = mem.peak_rss / 1024
    return report


def snapshot(tmp: Path) -> dict[str, str]:
    """Copy the package aside; return an environment that imports the copy."""
    pkg = tmp / "pkg" / "shareables"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(REPO / "shareables", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return {**os.environ, "PYTHONPATH": str(pkg.parent)}


def line(name: str, value: str, target: str, ok: bool | None) -> str:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    return f"| {name} | {value} | {target} | {mark} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=1000, help="size of the big project")
    ap.add_argument("--cold-designs", type=int, default=30,
                    help="size of the project for the --jobs 1 vs 2 comparison")
    ap.add_argument("--keep", type=Path, help="work in this directory and keep it")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: reuse the big project's cold build from a previous run "
                         "(only meaningful if the renderer has not changed since)")
    ap.add_argument("--skip-cold", action="store_true", help="skip the --jobs 1 vs 2 builds")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="shareables-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    env = snapshot(tmp)
    rows = ["| measure | result | target | |", "|---|---|---|---|"]

    floor = Path(__file__).with_name("render_floor.py")
    if floor.is_file() and not args.skip_cold:  # the renderer's: per-image time vs Pillow
        res = subprocess.run([sys.executable, str(floor)], env=env, cwd=tmp,
                             capture_output=True, text=True)
        print(res.stdout.strip() or res.stderr.strip()[-2000:], flush=True)

    # 1. Parallel speed-up on a cold build.
    cold = generate(tmp / "cold", args.cold_designs)
    rates = {}
    for jobs in (1, 2) if not args.skip_cold else ():
        out = tmp / f"cold-out-{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        r = build(cold, env, "--jobs", str(jobs), "--output", str(out))
        # The build's own clock: interpreter start-up is the same for both and not rendering.
        rates[jobs] = r["rendered"] / r["seconds"]
        print(f"cold build --jobs {jobs}: {r['rendered']} images in {r['seconds']:.1f} s "
              f"({r['wall']:.1f} s wall) = {rates[jobs]:.1f} images/s "
              f"({len(r['errors'])} errors)", flush=True)
    if rates:
        speedup = rates[2] / rates[1]
        rows.append(line("cold build, images/s (--jobs 1 / --jobs 2)",
                         f"{rates[1]:.1f} / {rates[2]:.1f} ({speedup:.2f}x)", ">= 1.7x",
                         speedup >= 1.7))

    # 2. The big project: cold build with memory sampling.
    big = tmp / "big"
    if args.reuse and (big / "output" / "manifest.json").is_file():
        # Valid only while the renderer is unchanged: otherwise the "no-change" build renders.
        r = json.loads((tmp / "big-cold.json").read_text())
    else:
        generate(big, args.designs)
        shutil.rmtree(big / "output", ignore_errors=True)
        r = build(big, env, "--jobs", "2", memory=True)
        (tmp / "big-cold.json").write_text(json.dumps(r))
    print(f"cold build of {args.designs} designs: {r['rendered']} images in {r['wall']:.1f} s, "
          f"peak PSS {r['peak_pss_mb']:.0f} MB (RSS sum {r['peak_rss_mb']:.0f} MB), "
          f"{len(r['errors'])} errors", flush=True)
    total_images = r["rendered"]
    rows.append(line(f"cold build of {args.designs} designs x 6 platforms, --jobs 2",
                     f"{total_images:,} images in {r['wall']:.0f} s", "", None))
    rows.append(line("peak memory of that build (PSS; RSS sum)",
                     f"{r['peak_pss_mb']:.0f} MB; {r['peak_rss_mb']:.0f} MB", "<= 500 MB",
                     r["peak_pss_mb"] <= 500))

    # 3. No-change rebuilds (three: the machine is shared, the median is reported), as the
    # plain command; then as CI runs it, with the JSON report of all 20,000+ artefacts.
    runs = [build(big, env, text=True) for _ in range(3)]
    ci = sorted(build(big, env)["wall"] for _ in range(3))
    walls = sorted(r["wall"] for r in runs)
    rendered = max(r["rendered"] for r in runs)
    inside = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"no-change rebuilds: {rendered} rendered, {runs[0]['cached']} cached, "
          f"{', '.join(f'{w:.2f}' for w in walls)} s wall (in build {inside} s)", flush=True)
    rows.append(line("no-change rebuild (wall, incl. start-up; median of 3; `--format json`)",
                     f"{walls[1]:.2f} s, {rendered} rendered; {ci[1]:.2f} s",
                     "<= 1 s, 0 rendered", walls[1] <= 1 and rendered == 0))
    rss = [r["max_rss_mib"] for r in runs]

    # 4. One design edited (a carousel: all its platforms), then the edit undone; twice.
    victim = sorted((big / "designs").rglob("*.yaml"))[len(list((big / "designs").rglob(
        "*.yaml"))) // 2]
    text = victim.read_text()
    manifest = json.loads((big / "output" / "manifest.json").read_text())
    expected = sum(a["role"] in ("image", "slide", "pdf") and a["design"] == victim.stem
                   for a in manifest["artefacts"])
    del manifest
    edits = []
    for _ in range(2):
        victim.write_text(text.replace('caption: "', 'caption: "Now: ', 1)
                          .replace('title: "', 'title: "Now: ', 1)
                          .replace('text: "', 'text: "Now: ')
                          .replace("name: Speaker", "name: Now Speaker", 1))
        edits.append(build(big, env, text=True))
        victim.write_text(text)
        edits.append(build(big, env, text=True))  # undoing is an edit too; leaves output/ clean
    walls = sorted(r["wall"] for r in edits)
    counts = {r["rendered"] for r in edits}
    errors = sum(len(r["errors"]) for r in edits)
    each = ", ".join(f"{r['wall']:.2f}" for r in edits)
    print(f"one design edited ({victim.relative_to(big)}), edit/undo twice: {each} s wall, "
          f"rendered "
          f"{sorted(counts)} (its artefacts: {expected}), {errors} errors", flush=True)
    median = (walls[1] + walls[2]) / 2
    rows.append(line("one design edited out of the big project (wall; median of 4 edits "
                     "and undos; slowest)",
                     f"{median:.2f} s; {walls[-1]:.2f} s, {sorted(counts)} rendered "
                     f"(its own: {expected})", "<= 1.5 s, only its artefacts",
                     median <= 1.5 and counts == {expected}))
    rss += [r["max_rss_mib"] for r in edits]
    rows.append(line("peak RSS of any one process, those 7 rebuilds (no-change; edits)",
                     f"{max(rss[:3]):.0f} MiB; {max(rss[3:]):.0f} MiB", "<= 200 MiB",
                     max(rss) <= 200))

    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.designs} designs; {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load average {load}")
    print("\n".join(rows))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
