"""Rebuilds side by side: this checkout against another one, on copies of one built project.

    .venv/bin/python benchmarks/run.py --keep /tmp/bench1000 --skip-cold    # once: the project
    .venv/bin/python benchmarks/rebuilds.py /tmp/bench1000/big --compare /path/to/checkout

Both checkouts must render alike (same renderer fingerprint: only build/site/project code
differs), or the first no-change build of one of them re-renders everything (reported).
Each checkout gets its own copy of the project, output/ hard-linked (the writer only ever
renames new files into place, so the copies never write through to each other), is
primed with one build (its own caches and pages), then the two alternate: no-change
rebuilds, then a design edited and the edit undone. Wall times (whole process, plain
`shareables build`), peak RSS of any one process, and this checkout's time over the other's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import build  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def package(checkout: Path, into: Path) -> dict[str, str]:
    pkg = into / "shareables"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(checkout / "shareables", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled as an install compiles it: with PYTHONDONTWRITEBYTECODE set (as on these
    # machines) every build would otherwise compile the package again (~55 ms a build).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(pkg)], check=True)
    return {**os.environ, "PYTHONPATH": str(into)}


def edit(text: str) -> str:
    return (text.replace('caption: "', 'caption: "Now: ', 1).replace('title: "', 'title: "Now: ', 1)
            .replace('text: "', 'text: "Now: ').replace("name: Speaker", "name: Now Speaker", 1))


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path, help="a built project (run.py --keep DIR: DIR/big)")
    ap.add_argument("--compare", type=Path, required=True, help="the other checkout")
    ap.add_argument("--this", type=Path, default=REPO,
                    help="the checkout measured against --compare (default: this one)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = args.project.parent / "rebuilds"
    work.mkdir(exist_ok=True)
    sides: dict[str, dict[str, Any]] = {}
    for name, checkout in (("this", args.this.resolve()), ("other", args.compare.resolve())):
        copy = work / f"project-{name}"
        if not copy.exists():
            subprocess.run(["cp", "-al", str(args.project), str(copy)], check=True)
            # The designs get edited in place: those must be copies, not links; and the build
            # lock its own file (a linked one is one lock for every copy).
            shutil.rmtree(copy / "designs")
            shutil.copytree(args.project / "designs", copy / "designs")
            (copy / "output" / ".shareables" / "lock").unlink(missing_ok=True)
        env = package(checkout, work / f"pkg-{name}")
        primed = build(copy, env, text=True)
        note = f" (re-rendered {primed['rendered']}: renderers differ?)" \
            if primed["rendered"] else ""
        print(f"{name}: {checkout} primed in {primed['wall']:.2f} s{note}", flush=True)
        sides[name] = {"project": copy, "env": env, "nochange": [], "edit": [], "rss": []}
    victim_rel = None
    for r in range(args.rounds):
        for name in (("this", "other") if r % 2 == 0 else ("other", "this")):
            side = sides[name]
            res = build(side["project"], side["env"], text=True)
            side["nochange"].append(res["wall"])
            side["rss"].append(res["max_rss_mib"])
            files = sorted((side["project"] / "designs").rglob("*.yaml"))
            victim = files[len(files) // 2]
            victim_rel = victim.relative_to(side["project"])
            text = victim.read_text()
            victim.write_text(edit(text))
            res = build(side["project"], side["env"], text=True)
            victim.write_text(text)
            back = build(side["project"], side["env"], text=True)
            side["edit"] += [res["wall"], back["wall"]]
            side["rss"] += [res["max_rss_mib"], back["max_rss_mib"]]
            side["rendered"] = (res["rendered"], back["rendered"])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{args.rounds} rounds, alternating; edited {victim_rel}; "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load average {load}")
    print("| checkout | no-change rebuild (median) | one design edited or undone (median) "
          "| peak RSS of any process | rendered (edit; undo) |")
    print("|---|---|---|---|---|")
    for name, side in sides.items():
        print(f"| {name} | {median(side['nochange']):.2f} s | {median(side['edit']):.2f} s | "
              f"{max(side['rss']):.0f} MiB | {side['rendered']} |")
    this, other = sides["this"], sides["other"]
    print(f"| this ÷ other | {median(this['nochange']) / median(other['nochange']):.2f} | "
          f"{median(this['edit']) / median(other['edit']):.2f} | "
          f"{max(this['rss']) / max(other['rss']):.2f} | |")


if __name__ == "__main__":
    main()
