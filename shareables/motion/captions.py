"""A WebVTT caption track of the on-screen text, timed to when it appears.

Each text item of a card becomes one cue from the moment its first word starts to appear to
the end of its scene; its lines keep their breaks. Bluesky takes up to 20 caption tracks of
at most 20,000 bytes each; one track in the design's language is what a clip needs.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_BYTES = 20_000


def timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Sequence[tuple[float, float, str]], lang: str) -> str:
    """WebVTT text for (start, end, text) cues; blank lines inside a cue are folded."""
    out = ["WEBVTT", f"Language: {lang}", ""]
    for i, (start, end, text) in enumerate(cues, start=1):
        lines = [ln.strip() for ln in _escape(text).replace("-->", "→").splitlines()]
        body = "\n".join(ln for ln in lines if ln)
        if not body or end <= start:
            continue
        out += [str(i), f"{timestamp(start)} --> {timestamp(end)}", body, ""]
    text = "\n".join(out)
    while len(text.encode()) > MAX_BYTES and len(out) > 4:  # never in practice: short cards
        out = out[:-4]
        text = "\n".join(out)
    return text
