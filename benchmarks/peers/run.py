"""shareables against its peers on the same quote cards: CPU and wall per card, alternating.

    .venv/bin/python benchmarks/peers/run.py --setup          # once: npm ci, MkDocs venv
    .venv/bin/python benchmarks/peers/run.py                  # 60 cards at 1200x630, 5 rounds
    .venv/bin/python benchmarks/peers/run.py --size 1080x1350 --rounds 3

Peers (files copied from shared/peers, see README.md there):
- Satori 0.63.2 + resvg 2.6.2 in one node process (`satori_bench.mjs`, after `npm ci` here);
- MkDocs-Material's social plugin (`mkdocs-material[imaging]` in `.venv/` here, git-ignored),
  one page per quote, fonts offline in `.cache/plugin/social/fonts/` (1200x630 only: its
  layout has that size);
- the bare Pillow floor (`pillow_floor.py`: fill, pre-wrapped text, PNG at zlib level 6 on
  the zlib Pillow loads, i.e. the system's).

shareables runs `shareables build --force --platform P` on a project of the same quotes (one
design each, plus the download page's own card at 1200x630): it fits the whole text, checks
contrast, writes thumbnails, zips, the manifest and the page. Every tool runs as a whole
process (start-up and imports included); CPU is user + sys of the process tree. Each round
runs every tool at `--cards` and at `--small` cards, in an order that rotates per round;
"marginal" is the CPU of the extra cards divided by their number. Medians over the rounds.

Quotes: by default every card has its own text (`--quotes distinct`): passages cut from the
organisation's source texts (shared/content/source-texts.md, its quoted paragraphs in Latin
script: the peers' one font is Noto Sans), each starting at a sentence or clause of a
paragraph and running on by words to the length of the peers' quote in turn (120, 51, 51, 153
and 70 characters), so the lengths are the five quotes' and no two texts are the same. The
list is written to `work/quotes-<n>.json` and every tool reads that one file. `--quotes
cycle` gives the n cards the five quotes of `quotes.json` in turn (the figure before 2
December 2026): a process then fits each text once and its memo serves the other 55 cards,
which no campaign of different texts gets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORK = HERE / "work"
FONT = REPO / "fonts" / "NotoSans-Regular.ttf"
SOURCE_TEXTS = REPO.parent.parent / "shared" / "content" / "source-texts.md"  # beside the repos
PLATFORM_FOR = {(1200, 630): "og", (1080, 1350): "facebook"}  # PNG platforms of that size
BUILD = "import sys; from shareables.cli import main; sys.argv[0] = 'shareables'; main()"


def setup() -> None:
    """npm ci for Satori + resvg; a venv with mkdocs-material[imaging] (both git-ignored)."""
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    venv = HERE / ".venv"
    if not (venv / "bin" / "mkdocs").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                        "mkdocs-material[imaging]"], check=True)


def peer_quotes() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads((HERE / "quotes.json").read_text())
    return data


def source_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(paragraph, who said it) for every quoted paragraph (`> ` lines) of the source texts in
    Latin script; a block's `— Name` line names its speaker, else the organisation."""
    blocks: list[list[str]] = []
    lines: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith(">"):
            lines.append(line[1:].strip())
        elif lines:
            blocks.append(lines)
            lines = []
    out = []
    for block in blocks:
        by = next((b[1:].strip() for b in block if b.startswith("—")), "MADRE")
        paragraph: list[str] = []
        for line in [*block, ""]:
            if line and not line.startswith("—"):
                paragraph.append(line)
            elif paragraph:
                text = " ".join(paragraph)
                if all(ord(c) < 0x250 or c in "–—‘’“”…"
                       for c in text):
                    out.append((text, by))
                paragraph = []
    return out


def distinct_quotes(n: int, path: Path = SOURCE_TEXTS) -> list[dict[str, str]]:
    """`n` different passages of the source texts, the peers' quote lengths in turn.

    Each starts at a sentence or a clause of a paragraph (then, if those run out, at any word)
    and takes words up to the length of the peers' quote it stands for; paragraphs take turns.
    """
    lengths = [len(q["text"]) for q in peer_quotes()]
    paragraphs = [(text.split(), by) for text, by in source_paragraphs(path)]
    starts = []
    for clause_only in (True, False):
        for k in range(max(len(words) for words, _by in paragraphs)):
            for p, (words, _by) in enumerate(paragraphs):
                opens = k == 0 or words[k - 1][-1] in ".,;:!?…" if k < len(words) else False
                if k < len(words) and opens == clause_only:
                    starts.append((p, k))
    out: list[dict[str, str]] = []
    seen = set()
    for p, k in starts:
        if len(out) == n:
            break
        words, by = paragraphs[p]
        target = lengths[len(out) % len(lengths)]
        end = k + 1
        while end < len(words) and len(" ".join(words[k:end])) < target:
            end += 1
        text = " ".join(words[k:end])
        if len(text) >= 40 and text not in seen:
            seen.add(text)
            out.append({"text": text, "by": by})
    if len(out) < n:
        raise SystemExit(f"the source texts give only {len(out)} distinct passages, not {n}")
    return out


def write_quotes(mode: str, n: int) -> Path:
    """The quotes every tool reads for an `n`-card run: one file, the same for all."""
    qs = distinct_quotes(n) if mode == "distinct" else [
        peer_quotes()[i % len(peer_quotes())] for i in range(n)]
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"quotes-{mode}-{n}.json"
    path.write_text(json.dumps(qs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def quotes_of(path: Path) -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shareables_project(root: Path, qs: list[dict[str, str]], platform: str) -> Path:
    """One quote design per entry of `qs` for one platform."""
    shutil.rmtree(root, ignore_errors=True)
    sys.path.insert(0, str(HERE.parent))
    from generate import generate  # the repository's settings, fonts and logo

    generate(root, 0)
    settings = (root / "shareables.yaml").read_text()
    (root / "shareables.yaml").write_text(settings + f"platforms: [{platform}]\n")
    for i, q in enumerate(qs):
        name, _, role = q["by"].partition(", ")
        path = root / "designs" / "quotes" / f"quote-{i:03d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        attribution = {"name": name, **({"role": role} if role else {})}
        path.write_text(json.dumps({"kind": "quote", "text": q["text"],
                                    "attribution": attribution,
                                    "caption": "Stand with us @madrespeaks"}) + "\n")
    return root


def mkdocs_project(root: Path, qs: list[dict[str, str]]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "docs").mkdir(parents=True)
    fonts = root / ".cache" / "plugin" / "social" / "fonts" / "Noto Sans"
    fonts.mkdir(parents=True)
    shutil.copy(REPO / "fonts" / "NotoSans-Regular.ttf", fonts / "Regular.ttf")
    shutil.copy(REPO / "fonts" / "NotoSans-Bold.ttf", fonts / "Bold.ttf")
    (root / "mkdocs.yml").write_text(
        "site_name: MADRE\nsite_url: https://example.org/\ntheme: {name: material}\n"
        "plugins:\n  - social:\n      cache: false\n"
        "      cards_layout_options: {font_family: Noto Sans}\n")
    (root / "docs" / "index.md").write_text("---\ntitle: MADRE\n---\n# MADRE\n")
    for i, q in enumerate(qs[:-1]):  # with the index page: n cards
        (root / "docs" / f"quote-{i:03d}.md").write_text(
            f"---\ntitle: {json.dumps(q['text'])}\n---\n{q['text']}\n\n— {q['by']}\n")
    return root


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None
            ) -> tuple[float, float]:
    """(CPU seconds of the process tree, wall seconds) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


Tool = Callable[[int], tuple[float, float]]


def compile_bytecode(*checkouts: Path) -> None:
    """Write the packages' .pyc files first, as an install does: with PYTHONDONTWRITEBYTECODE
    set (as in some shells and CI images) an editable checkout would otherwise compile every
    module in every run, which no installed tool (the peers included) pays."""
    for checkout in checkouts:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "shareables")],
                       check=True)


def tools(w: int, h: int, sizes: tuple[int, ...], jobs: int | None,
          compare: Path | None = None, mode: str = "distinct") -> dict[str, Tool]:
    platform = PLATFORM_FOR[(w, h)]
    compile_bytecode(REPO, *([compare] if compare is not None else []))
    extra = 1 if platform == "og" else 0  # the download page's own card
    quotes_file = write_quotes(mode, max(sizes))  # each tool takes the first n of these
    qs = quotes_of(quotes_file)
    peer_env = {**os.environ, "QUOTES_FILE": str(quotes_file)}
    projects = {n: shareables_project(WORK / f"shareables-{platform}-{n}", qs[:n - extra],
                                      platform)
                for n in sizes}

    def shareables(n: int) -> tuple[float, float]:
        args = [sys.executable, "-c", BUILD, "build", "--force", "--platform", platform]
        return measure(args + (["--jobs", str(jobs)] if jobs else []), projects[n])

    out: dict[str, Tool] = {"shareables": shareables}
    if compare is not None:  # another checkout of shareables (e.g. before a change)
        env = {**os.environ, "PYTHONPATH": str(compare)}

        def other(n: int) -> tuple[float, float]:
            args = [sys.executable, "-c", BUILD, "build", "--force", "--platform", platform]
            return measure(args + (["--jobs", str(jobs)] if jobs else []), projects[n], env)
        out[f"shareables at {compare.name}"] = other
    if (HERE / "node_modules" / "satori").is_dir():
        def satori(n: int) -> tuple[float, float]:
            return measure(["node", "satori_bench.mjs", str(n), str(w), str(h), str(FONT),
                            str(WORK / "satori")], HERE, peer_env)
        out["satori+resvg"] = satori
    mkdocs = HERE / ".venv" / "bin" / "mkdocs"
    if mkdocs.exists() and (w, h) == (1200, 630):
        docs = {n: mkdocs_project(WORK / f"mkdocs-{n}", qs[:n]) for n in sizes}

        def material(n: int) -> tuple[float, float]:
            return measure([str(mkdocs), "build", "-q"], docs[n])
        out["mkdocs-material social"] = material

    def floor(n: int) -> tuple[float, float]:
        return measure([sys.executable, "pillow_floor.py", str(n), str(w), str(h), str(FONT),
                        "6"], HERE, peer_env)
    out["pillow floor (png 6)"] = floor
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--setup", action="store_true", help="install the peers, then exit")
    ap.add_argument("--cards", type=int, default=61, help="cards per run (60 quotes + page)")
    ap.add_argument("--small", type=int, default=11, help="cards of the marginal-cost run")
    ap.add_argument("--size", default="1200x630", choices=["1200x630", "1080x1350"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=None, help="shareables --jobs (default: cores)")
    ap.add_argument("--compare", type=Path, default=None,
                    help="also run the shareables checkout in DIR (e.g. a worktree of main)")
    ap.add_argument("--quotes", choices=["distinct", "cycle"], default="distinct",
                    help="distinct: a different source-text passage per card (default); "
                         "cycle: the five peer quotes in turn")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.setup:
        setup()
        return
    w, h = (int(x) for x in args.size.split("x"))
    sizes = (args.cards, args.small)
    run = tools(w, h, sizes, args.jobs, args.compare, args.quotes)
    names = list(run)
    got: dict[str, dict[int, list[tuple[float, float]]]] = {k: {n: [] for n in sizes}
                                                             for k in names}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # alternate who goes first
        for name in order:
            for n in sizes:
                got[name][n].append(run[name](n))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    big, small = sizes
    rows = {}
    for name in names:
        cpu_b = statistics.median(c for c, _w in got[name][big])
        wall_b = statistics.median(wl for _c, wl in got[name][big])
        cpu_s = statistics.median(c for c, _w in got[name][small])
        rows[name] = {"cpu_ms_per_card": 1000 * cpu_b / big,
                      "wall_ms_per_card": 1000 * wall_b / big,
                      "marginal_cpu_ms_per_card": 1000 * (cpu_b - cpu_s) / (big - small)}
    ours = rows["shareables"]
    for row in rows.values():
        row["shareables_over_peer_cpu"] = ours["cpu_ms_per_card"] / row["cpu_ms_per_card"]
        row["shareables_over_peer_wall"] = ours["wall_ms_per_card"] / row["wall_ms_per_card"]
    if args.json:
        print(json.dumps({"size": args.size, "cards": big, "rounds": args.rounds,
                          "quotes": args.quotes,
                          "cores": len(os.sched_getaffinity(0)), "tools": rows}, indent=2))
        return
    print(f"{args.size} PNG, {big} cards, {args.quotes} quotes, {args.rounds} rounds (medians), "
          f"{len(os.sched_getaffinity(0))} cores")
    print("| tool | CPU per card | marginal CPU per card | wall per card "
          "| shareables ÷ tool (CPU; wall) |\n|---|---|---|---|---|")
    for name, row in rows.items():
        ratio = "—" if name == "shareables" else (
            f"{row['shareables_over_peer_cpu']:.2f}; {row['shareables_over_peer_wall']:.2f}")
        print(f"| {name} | {row['cpu_ms_per_card']:.1f} ms | "
              f"{row['marginal_cpu_ms_per_card']:.1f} ms | {row['wall_ms_per_card']:.1f} ms "
              f"| {ratio} |")


if __name__ == "__main__":
    main()
