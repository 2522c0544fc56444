"""Short texts set phrase by phrase: verse and two-sentence quotes keep a sentence to a line
when that costs little size, instead of a balanced break straddling a sentence boundary."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from .. import text as T
from ..errors import RenderError

Fit = Callable[[Sequence[T.Span], T.TextStyle, int, int, str], T.TextBlock]

PHRASE_GIVE = 0.25
"""How much of its size a short text may give up so that no line straddles a sentence
boundary ("It was called Palestine. / Its name became Palestine." rather than three lines
with "Palestine. Its name" in the middle): at most a quarter. Verse keeps its lines."""
PHRASE_MAX_CHARS = 120
"""Only texts this short (verse, slogans, short quotes) are set a sentence to a line."""


def _plain(spans: Sequence[T.Span] | str) -> str:
    return spans if isinstance(spans, str) else "".join(sp.text for sp in spans)


_SENTENCE_IN_LINE = re.compile(r"[.!?…؟۔][\"'”’»)\]״]*\s+(\w)")


def straddles(block: T.TextBlock) -> bool:
    """True when a line carries the end of one sentence and the start of the next (the next
    word starts with a capital, or a letter of a script without case)."""
    for line in block.lines:
        for m in _SENTENCE_IN_LINE.finditer(line.text):
            c = m.group(1)
            if c.isupper() or (c.isalpha() and not c.islower()):
                return True
    return False


_SENTENCE_GAP = re.compile(r"([.!?…؟۔][\"'”’»)\]״]*)[ \t]+(?=\w)")


def _sentence_lines(spans: Sequence[T.Span]) -> list[T.Span]:
    """The spans with a line break after every sentence that a capital (or a letter of a
    script without case) follows: each sentence then starts a line of its own."""
    def cut(m: re.Match[str]) -> str:
        nxt = m.string[m.end()]
        return m.group(1) + "\n" if nxt.isupper() or not nxt.islower() else m.group(0)

    return [T.Span(_SENTENCE_GAP.sub(cut, sp.text), sp.accent) for sp in spans]


def phrase_fit(fit: Fit, spans: Sequence[T.Span], st: T.TextStyle, w: int, h: int,
               role: str) -> T.TextBlock:
    """`fit` (the card's fit, whose errors name the design field), or, for a short text
    whose fitted lines straddle a sentence boundary, the same text with every sentence on
    lines of its own when that costs at most PHRASE_GIVE of the size (verse, two-sentence
    quotes)."""
    block = fit(spans, st, w, h, role)
    if len(_plain(spans)) > PHRASE_MAX_CHARS or not straddles(block):
        return block
    verse = replace(st, paragraph_spacing=0.0)
    lines = _sentence_lines(spans)
    sentences = sum(sp.text.count("\n") for sp in lines) + 1
    lowest = max(st.min_size, math.ceil(block.size * (1 - PHRASE_GIVE)))
    try:
        alt = fit(lines, verse, w, h, role)
    except RenderError:
        return block
    # Best: one line per sentence; else sentences on lines of their own, no one-word line.
    size = alt.size
    while size >= lowest:
        # Sizes at which the cheap widths already put a sentence on two lines are skipped
        # (one pixel kept for their pessimism): each `fit` shapes and measures real ink.
        cheap = replace(verse, min_size=min(size, st.min_size))
        while size > lowest and all(T.lines_at(lines, cheap, s, w) != sentences
                                    for s in (size, size - 1)):
            size -= 1
        trial = fit(lines, replace(verse, max_size=size, min_size=min(size, st.min_size)),
                    w, h, role)
        if len(trial.lines) == sentences:
            return trial
        size = trial.size - 1
    if alt.size >= lowest and all(len(ln.text.split()) > 1 for ln in alt.lines):
        return alt
    # Verse: every sentence in two lines of its own, cut where the halves are most even
    # ("كانت تسمى / فلسطين. / صارت تسمى / فلسطين."), each half a paragraph of its own.
    try:
        halves = fit(_halved(lines), verse, w, h, role)
    except RenderError:
        return block
    return halves if halves.size >= lowest else block


def _halved(spans: Sequence[T.Span]) -> list[T.Span]:
    """Each line of the spans cut once, at the space that best evens its two halves (the
    text keeps its length, so the spans keep their colours)."""
    plain = _plain(spans)
    cuts: set[int] = set()
    start = 0
    for line in plain.split("\n"):
        spaces = [i for i, c in enumerate(line) if c == " "]
        if spaces:
            cuts.add(start + min(spaces, key=lambda i: abs(len(line) - 2 * i)))
        start += len(line) + 1
    out, pos = [], 0
    for sp in spans:
        out.append(T.Span("".join("\n" if pos + k in cuts else c
                                  for k, c in enumerate(sp.text)), sp.accent))
        pos += len(sp.text)
    return out
