"""Generate a synthetic shareables project with N designs (mixed kinds, lengths and scripts).

    python benchmarks/generate.py DIR --designs 1000

Deterministic (seeded): the same N gives the same files, so benchmark runs are comparable.
Texts are kept short enough to fit every default platform at the legibility floor, because
the benchmark measures the build, not fitting failures.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORDS = {
    "en": ("women defenders rights justice peace solidarity community health care water land "
           "freedom dignity safety families partners courage future voices change hope").split(),
    "es": ("mujeres defensoras derechos justicia paz solidaridad comunidad salud agua tierra "
           "libertad dignidad familias futuro voces cambio esperanza").split(),
    "ar": ("النساء المدافعات الحقوق العدالة السلام التضامن المجتمع الصحة الماء الأرض الحرية "
           "الكرامة الأسر المستقبل الأصوات الأمل").split(),
    "fa": ("زنان مدافعان حقوق عدالت صلح همبستگی جامعه سلامت آب زمین آزادی کرامت خانواده "
           "آینده صداها امید").split(),
    "he": ("נשים מגינות זכויות צדק שלום סולידריות קהילה בריאות מים אדמה חירות כבוד משפחות "
           "עתיד קולות תקווה").split(),
}
CAMPAIGNS = ("palestine", "afghanistan", "climate", "health", "peace")
KINDS = ("quote", "quote", "statement", "statement", "tag", "carousel")


def sentence(rng: random.Random, lang: str, words: int) -> str:
    pool = WORDS[lang]
    text = " ".join(rng.choice(pool) for _ in range(words))
    end = "." if lang not in ("ar", "fa") else "."
    return (text[0].upper() + text[1:] if lang in ("en", "es") else text) + end


def design_yaml(i: int, rng: random.Random) -> tuple[str, str]:
    """(relative path, YAML text) of design number i."""
    kind = KINDS[i % len(KINDS)]
    campaign = CAMPAIGNS[i % len(CAMPAIGNS)]
    lang = ("en", "en", "es", "ar", "fa", "he")[rng.randrange(6)]
    short, long_ = rng.randint(5, 9), rng.randint(12, 20)
    lines = [f"kind: {kind}", f"lang: {lang}"]
    if kind == "quote":
        lines.append(f"text: \"{sentence(rng, lang, rng.choice((short, long_)))}\"")
        lines += ["attribution:", f"  name: Speaker {i}", "  role: Human rights defender"]
    elif kind == "statement":
        if rng.random() < 0.5:
            lines.append(f"title: Statement {i}")
        lines.append(f"text: \"{sentence(rng, lang, rng.choice((short, long_)))}\"")
    elif kind == "tag":
        if rng.random() < 0.5:
            lines.append(f"text: \"{sentence(rng, lang, short)} @madrespeaks\"")
    else:
        lines.append(f"title: \"{sentence(rng, lang, 4)}\"")
        lines.append("slides:")
        lines += [f"  - \"{sentence(rng, lang, rng.randint(8, 16))}\"" for _ in range(2)]
    if rng.random() < 0.3:
        words = sentence(rng, lang, 2).rstrip(".").split()
        lines.append(f"highlight: [\"{words[0]}\"]")
    lines.append(f"caption: \"{sentence(rng, lang, 10)} @madrespeaks\"")
    if kind in ("quote", "statement") and rng.random() < 0.15:
        other = "en" if lang != "en" else "es"
        lines += ["translations:", f"  {other}:",
                  f"    text: \"{sentence(rng, other, short)}\""]
    return f"{campaign}/bench-{i:04d}.yaml", "\n".join(lines) + "\n"


def generate(root: Path, n: int, *, seed: int = 5) -> Path:
    """Write a project with `n` designs into `root` (replacing its designs/)."""
    root.mkdir(parents=True, exist_ok=True)
    settings = (REPO / "shareables.yaml").read_text()
    settings = re.sub(r"^platforms:.*?(?=^\S)", "", settings, flags=re.S | re.M)  # defaults: 6
    (root / "shareables.yaml").write_text(settings)
    (root / "brand").mkdir(exist_ok=True)
    shutil.copy(REPO / "brand" / "logo.svg", root / "brand" / "logo.svg")
    (root / "fonts").mkdir(exist_ok=True)
    for name in sorted(set(re.findall(r"[\w-]+\.(?:ttf|otf)", settings))):
        shutil.copy(REPO / "fonts" / name, root / "fonts" / name)
    shutil.rmtree(root / "designs", ignore_errors=True)
    rng = random.Random(seed)
    for i in range(n):
        rel, text = design_yaml(i, rng)
        path = root / "designs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--designs", type=int, default=1000)
    args = ap.parse_args()
    generate(args.dir, args.designs)
    print(f"wrote {args.designs} designs to {args.dir}")


if __name__ == "__main__":
    main()
