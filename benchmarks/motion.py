"""Cost of an 8-second 1080×1920 clip vs the floor of encoding its frames with PyAV.

    .venv/bin/python benchmarks/motion.py [--rounds 3] [--design darwish-on-this-earth/ar]

The clip (`motion.clip.render_clip`: compose the card once, make 240 frames through masks,
encode with PyAV, decode it back to validate) and the floor (the same number of pre-rendered,
distinct frames — the clip's own frames, decoded once beforehand and held in memory — encoded by
`motion.encode.encode_mp4` with the same settings) are timed in one run, alternating, so both
see the same load on the machine. Medians are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shareables.motion.check import decoded_frames  # noqa: E402
from shareables.motion.clip import plan_scenes, render_clip  # noqa: E402
from shareables.motion.encode import encode_mp4  # noqa: E402
from shareables.motion.frames import render_frames  # noqa: E402
from shareables.platforms import CLIPS  # noqa: E402
from shareables.project.design import load_designs  # noqa: E402
from shareables.project.model import Motion  # noqa: E402
from shareables.project.settings import load_settings  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--design", default="darwish-on-this-earth/ar")
    ap.add_argument("--clip", default="instagram-reel")
    ap.add_argument("--kenburns", action="store_true",
                    help="put a generated photo behind the card (every frame differs)")
    args = ap.parse_args()
    settings = load_settings(ROOT)
    designs, _ = load_designs(ROOT, settings)
    did, lang = args.design.split("/")
    variant = next(v for d in designs if d.id == did for v in d.variants if v.lang == lang)
    if args.kenburns:
        variant = _with_photo(variant)
    motion = Motion(duration=8.0, reveal="words")
    profile = CLIPS[args.clip]
    res = Resources()

    warm = render_clip(variant, args.clip, res, motion=motion)  # fonts, photo, first import
    frames = decoded_frames(warm.data)  # the pre-rendered frames for the floor
    print(f"{variant.key} on {args.clip}: {warm.frames} frames, {warm.composed} composed, "
          f"{len(warm.data):,} bytes, {warm.report.video_kbps:.0f} kb/s", flush=True)

    clip_t, floor_t, compose_t = [], [], []
    for r in range(args.rounds):
        t = time.perf_counter()
        c = render_clip(variant, args.clip, res, motion=motion)
        clip_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        encode_mp4(iter(frames), profile, len(frames))
        floor_t.append(time.perf_counter() - t)
        # the frames alone (no encoding), to split the clip's time
        t = time.perf_counter()
        scenes = plan_scenes(variant, args.clip, res, motion)
        for _ in render_frames(scenes, variant, res, motion.easing, [c.frames]):
            pass
        compose_t.append(time.perf_counter() - t)
        print(f"round {r + 1}: clip {clip_t[-1]:.2f} s, floor {floor_t[-1]:.2f} s, "
              f"frames alone {compose_t[-1]:.2f} s", flush=True)
    mc, mf, mx = (statistics.median(x) for x in (clip_t, floor_t, compose_t))
    print()
    print(f"| measure | median of {args.rounds} | per frame |")
    print("|---|---|---|")
    n = warm.frames
    print(f"| clip: compose + encode + validate | {mc:.2f} s | {1000 * mc / n:.1f} ms |")
    print(f"| floor: encode {n} pre-rendered frames | {mf:.2f} s | {1000 * mf / n:.1f} ms |")
    print(f"| of the clip, making the frames alone | {mx:.2f} s | {1000 * mx / n:.1f} ms |")
    print(f"| clip / floor | {mc / mf:.2f}× | |")


def _with_photo(variant: Any) -> Any:
    """The variant over a generated 2400×1800 photo (stripes and a gradient)."""
    import dataclasses
    import tempfile

    from PIL import Image, ImageDraw

    img = Image.linear_gradient("L").resize((2400, 1800)).convert("RGB")
    d = ImageDraw.Draw(img)
    for x in range(0, 2400, 90):
        d.rectangle((x, 0, x + 30, 1800), fill=(120, 70, 50))
    path = Path(tempfile.mkdtemp(prefix="shareables-bench-")) / "photo.jpg"
    img.save(path, quality=90)
    bg = dataclasses.replace(variant.background, image=path, focus=(0.5, 0.4), overlay=0.6)
    return dataclasses.replace(variant, background=bg)


if __name__ == "__main__":
    main()
