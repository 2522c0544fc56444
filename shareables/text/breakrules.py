"""Where a line may break: UAX #14 opportunities, then the typesetter's hard rules.

Opportunities come from ICU's line break iterator, the reference implementation of UAX #14,
through `icu4py` (a maintained binding whose manylinux wheels bundle ICU 78, Unicode 17;
PyICU needs a C++ build against a system libicu). It takes ~0.1 µs a character where the
pure-Python `uniseg` took ~60 (3-10 ms a quote, most of the cost of fitting a new text), for
a 16 MB wheel (43 MB installed, 33 of them ICU's data). ICU's root locale is used: the default
rules, no language tailoring (the paragraph's language is for the rules below). On top of
them each rule below
*binds* a break opportunity — the line may not break there — as hard constraints, not as
penalties. A bound group may only be opened again when it alone is wider than the line
(`linebreak.merge_bound` does that at each size). Each rule is one function; docs/typography.md
states them, tests/text/test_breakrules.py tests each in the scripts it concerns.

Binding strengths (`Piece.bind` after the piece):
- `WORD` (2): a number and its word, a Persian ezafe, a Pashto/Urdu particle and its word.
  Released only when the pair itself does not fit on a line.
- `GROUP` (1): inside a highlight / `**inline**` phrase, and inside a URL (whose inner
  opportunities are only after `/` and before `.`, `?`, `&`). Released when the whole phrase or
  URL is wider than the line; its word binds still hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from icu4py.breakers import LineBreaker

FREE, GROUP, WORD = 0, 1, 2

BREAKABLE_SPACES = frozenset(" \t\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008"
                             "\u2009\u200a\u205f\u3000\u200b")


@dataclass
class Piece:
    """Text between two break opportunities: [start, end) visible, spaces up to `gend`."""

    start: int
    end: int
    gend: int
    bind: int = FREE  # how strongly the break after this piece is forbidden


_ROOT = "und"  # ICU's root locale: UAX #14's default rules


def opportunities(text: str) -> list[Piece]:
    """UAX #14 break opportunities (mandatory breaks are paragraphs already, not here)."""
    return pieces_of(text, LineBreaker(text, _ROOT) if text else ())  # str units: code points


def pieces_of(text: str, units: Iterable[str]) -> list[Piece]:
    """Pieces from the text between consecutive break opportunities (`units`, in order)."""
    out: list[Piece] = []
    pos = 0
    for unit in units:
        end = pos + len(unit)
        vis = end
        while vis > pos and text[vis - 1] in BREAKABLE_SPACES:
            vis -= 1
        if vis == pos and out:  # spaces only: they belong to the piece before
            out[-1].gend = end
        else:
            out.append(Piece(pos, vis, end))
        pos = end
    return out


# --------------------------------------------------------------------------- URLs

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+(?:\.[\w-]+)*\.(?:org|com|net|"
                  r"info|io|int|ngo|edu|gov)(?:/\S*)?", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)»”’؟،"


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where URLs, bare domains and e-mail addresses are (trailing punctuation left out)."""
    out = []
    for m in _URL.finditer(text):
        a, b = m.start(), m.end()
        while b > a and text[b - 1] in _URL_TRAIL:
            b -= 1
        out.append((a, b))
    return out


def _url_cuts(url: str) -> list[int]:
    """Offsets inside a URL where a line may break: after `/` (not inside `//`), before `.`,
    `?` and `&` (not at the ends). Never after a hyphen or underscore of a slug."""
    cuts = []
    for i in range(1, len(url)):
        before, ch = url[i - 1], url[i]
        if before == "/" and ch != "/":
            cuts.append(i)
        elif ch in ".?&" and before not in "/.":
            cuts.append(i)
    return cuts


def apply_urls(text: str, pieces: list[Piece]) -> list[Piece]:
    """Replace the UAX #14 opportunities inside each URL by the URL's own cuts, bound as a
    group: a URL that fits stays whole; one that does not breaks only at those cuts."""
    spans = url_spans(text)
    if not spans:
        return pieces
    out: list[Piece] = []
    k = 0
    for a, b in spans:
        while k < len(pieces) and pieces[k].end <= a:
            out.append(pieces[k])
            k += 1
        if k >= len(pieces):
            break
        first = pieces[k]
        # the pieces covering the URL, from the one it starts in to the one it ends in
        last = k
        while last + 1 < len(pieces) and pieces[last].gend < b:
            last += 1
        start, tail = first.start, pieces[last]
        bounds = [start] + [a + c for c in _url_cuts(text[a:b])] + [tail.end]
        for i in range(len(bounds) - 1):
            s, e = bounds[i], bounds[i + 1]
            final = i == len(bounds) - 2
            out.append(Piece(s, e, tail.gend if final else e, tail.bind if final else GROUP))
        k = last + 1
    out.extend(pieces[k:])
    return out


# --------------------------------------------------------------------------- phrases


def bind_phrases(pieces: Sequence[Piece], accent: Sequence[bool]) -> None:
    """A highlight or `**inline**` phrase never breaks inside (GROUP): the break after a piece
    is bound when the accent runs on across it."""
    for p, nxt in zip(pieces, pieces[1:], strict=False):
        if accent[p.end - 1] and accent[nxt.start]:
            p.bind = max(p.bind, GROUP)


# --------------------------------------------------------------------------- numbers

_DIGIT = r"0-9٠-٩۰-۹"
_NUMBER = re.compile(rf"^[(\[«“„\"']?[$€£₪¥#+−-]?[{_DIGIT}][{_DIGIT}.,٫٬:/–-]*[%٪‰]?"
                     rf"(?:st|nd|rd|th)?$")
_ABBREV_BEFORE_NUMBER = {"no.", "nos.", "nr.", "p.", "pp.", "vol.", "art.", "§", "ch.", "fig.",
                         "nº", "№"}


def _is_number(word: str) -> bool:
    """A number, with currency or percent, not ending a clause ("2023." and "5," are free)."""
    return bool(_NUMBER.match(word)) and word[-1] not in ".,:;/–-"


def bind_numbers(text: str, pieces: Sequence[Piece]) -> None:
    """A number stays with the word after it ("$10 million", "7 أكتوبر", "365 square",
    "40,000 فلسطيني", "על 3 הרוגים"), and "No." with its number ("No. 5"). A number that ends
    a clause ("in 2023. The", "5, and") is left free."""
    for p, nxt in zip(pieces, pieces[1:], strict=False):
        if p.gend == p.end:  # no space after: a break inside a word is UAX #14's business
            continue
        word = text[p.start : p.end]
        if _is_number(word) or (word.lower() in _ABBREV_BEFORE_NUMBER
                                and _is_number(text[nxt.start : nxt.end].rstrip(".,;:!?؟،"))):
            p.bind = WORD


_TITLES = {"dr.", "mr.", "mrs.", "ms.", "mx.", "prof.", "st.", "sr.", "jr.", "gen.", "hon.",
           "rev.", "sen.", "rep.", "gov.", "pres.", "د.", "أ.", "م."}


def bind_titles(text: str, pieces: Sequence[Piece]) -> None:
    """An abbreviated title stays with the name after it ("Dr. Salwa", "Prof. Ali",
    "د. سلوى")."""
    for p in pieces[:-1]:
        if p.gend > p.end and text[p.start : p.end].lower() in _TITLES:
            p.bind = WORD


# --------------------------------------------------------------------------- fa, ps, ur

# Persian: the ezafe (-e linking a noun to what qualifies it) is mostly unwritten. We bind
# (1) a word that writes it: a final kasra (ِ), ۀ, هٔ, or ZWNJ + ی ("خانه‌ی"), to the next word;
# (2) a personal pronoun used as the possessor ("جان من", "خانهٔ ما") to the word before it.
_EZAFE_END = re.compile("(?:\u0650|\u06c0|\u0647\u0654|\u200c\u06cc)$")
_FA_POSSESSOR = {"من", "تو", "ما", "شما", "او", "ایشان", "آنها", "آن‌ها", "آنان"}
# Pashto: prepositions that govern the next word: د (of), په (in), له (from), تر (until),
# پر (on), و (and, when written apart). Postpositions that close the phrase bind to the word
# before: کې، ته، څخه، سره.
_PS_BEFORE = {"د", "په", "له", "تر", "پر", "و"}
_PS_AFTER = {"کې", "ته", "څخه", "سره"}
# Urdu: postpositions and auxiliaries bind to the word before ("کھڑے ہیں۔", "MADRE کے"):
# کا کی کے کو نے سے میں پر تک, and ہے ہیں تھا تھی تھے گا گی گے ہو ہوں.
_UR_AFTER = {"کا", "کی", "کے", "کو", "نے", "سے", "میں", "پر", "تک", "ہے", "ہیں", "تھا",
             "تھی", "تھے", "گا", "گی", "گے", "ہو", "ہوں"}
_PUNCT = ".,;:!?؟،؛۔…»«\"“”()"
_CLAUSE_END = re.compile(r"[.,;:!?؟،؛۔…—–]$")


def _bare(word: str) -> str:
    return word.strip(_PUNCT)


def bind_particles(text: str, pieces: Sequence[Piece], lang: str) -> None:
    """Persian ezafe, Pashto and Urdu particles: see the word lists above (WORD binds)."""
    code = lang.split("-")[0].lower()
    if code not in ("fa", "prs", "ps", "ur"):
        return
    for p, nxt in zip(pieces, pieces[1:], strict=False):
        if p.gend == p.end:
            continue
        word, after = text[p.start : p.end], text[nxt.start : nxt.end]
        if _CLAUSE_END.search(word):
            continue
        bound = False
        if code in ("fa", "prs"):
            bound = bool(_EZAFE_END.search(word)) or _bare(after) in _FA_POSSESSOR
        elif code == "ps":
            bound = word in _PS_BEFORE or _bare(after) in _PS_AFTER
        elif code == "ur":
            bound = _bare(after) in _UR_AFTER
        if bound:
            p.bind = WORD


def pieces_for(text: str, accent: Sequence[bool], lang: str) -> list[Piece]:
    """Every break opportunity of one paragraph with the hard rules applied."""
    pieces = apply_urls(text, opportunities(text))
    bind_phrases(pieces, accent)
    bind_numbers(text, pieces)
    bind_titles(text, pieces)
    bind_particles(text, pieces, lang)
    return pieces
