"""Alt text in the variant's language, for a whole design and for each carousel slide.

A design's hand-written `alt` always wins. Otherwise the alt is built from the design's own
words with a few labels ("Quote by …", "Slide 2 of 5") written in the variant's language,
with that language's quotation marks and punctuation (« » and ، in Arabic). Languages without
vetted labels get no scaffolding at all — the words alone, never English labels around
Arabic words. A photo's description (`background.alt`) is folded in. Every alt is at most
`MAX_CHARS` (X's limit; the tightest of the platforms), cut at a word with an ellipsis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import code_of, punctuation, quotes

MAX_CHARS = 1000
_MARKUP = re.compile(r"\*\*(.+?)\*\*", re.S)


@dataclass(frozen=True)
class Labels:
    quote_by: str  # {name}
    statement_by: str  # {brand}
    slide: str  # {n}, {total}
    share: str  # the closing call to share; {handle}
    share_no_handle: str
    photo: str  # {alt}


# en and ar are the shipped languages (vetted); the others follow the same plain wording.
LABELS: dict[str, Labels] = {
    "en": Labels("Quote by {name}", "Statement by {brand}", "Slide {n} of {total}",
                 "Download and share, and tag us {handle}", "Download and share",
                 "Photo: {alt}"),
    "ar": Labels("اقتباس من {name}", "بيان من {brand}", "الشريحة {n} من {total}",
                 "حمّلوا وشاركوا، وأشيروا إلينا {handle}", "حمّلوا وشاركوا", "صورة: {alt}"),
    "fa": Labels("نقل قول از {name}", "بیانیهٔ {brand}", "اسلاید {n} از {total}",
                 "دانلود کنید، هم‌رسانی کنید و ما را برچسب بزنید {handle}",
                 "دانلود کنید و هم‌رسانی کنید", "عکس: {alt}"),
    "he": Labels("ציטוט של {name}", "הצהרה של {brand}", "שקופית {n} מתוך {total}",
                 "הורידו, שתפו ותייגו אותנו {handle}", "הורידו ושתפו", "תמונה: {alt}"),
    "ur": Labels("{name} کا قول", "{brand} کا بیان", "سلائیڈ {n} از {total}",
                 "ڈاؤن لوڈ کریں، شیئر کریں اور ہمیں ٹیگ کریں {handle}",
                 "ڈاؤن لوڈ کریں اور شیئر کریں", "تصویر: {alt}"),
    "ps": Labels("د {name} وینا", "د {brand} اعلامیه", "سلایډ {n} له {total}",
                 "ډاونلوډ یې کړئ، شریک یې کړئ او موږ ټګ کړئ {handle}",
                 "ډاونلوډ یې کړئ او شریک یې کړئ", "انځور: {alt}"),
    "de": Labels("Zitat von {name}", "Erklärung von {brand}", "Folie {n} von {total}",
                 "Herunterladen, teilen und uns markieren: {handle}", "Herunterladen und teilen",
                 "Foto: {alt}"),
    "es": Labels("Cita de {name}", "Declaración de {brand}", "Diapositiva {n} de {total}",
                 "Descarga, comparte y etiquétanos: {handle}", "Descarga y comparte",
                 "Foto: {alt}"),
    "fr": Labels("Citation de {name}", "Déclaration de {brand}", "Diapositive {n} sur {total}",
                 "Téléchargez, partagez et identifiez-nous\u202f: {handle}",
                 "Téléchargez et partagez", "Photo\u202f: {alt}"),
}


def labels(lang: str) -> Labels | None:
    """The alt text labels of `lang`, or None where there are none (words only)."""
    return LABELS.get(code_of(lang))


def plain(text: str) -> str:
    """Text without **markup**, on one line."""
    return " ".join(_MARKUP.sub(r"\1", text or "").split())


def _quoted(body: str, lang: str) -> str:
    q_open, q_close = quotes(lang)[:2]
    t = body.strip()
    if t[:1] in "“„«\"" or not t:  # already quoted: no second pair
        return t
    return f"{q_open}{t}{q_close}"


def _end(text: str, lang: str) -> str:
    """Closed with the language's full stop unless it already ends a sentence."""
    t = text.rstrip()
    inner = t.rstrip("»”“\"')’")  # a closing quote: the sentence may end inside it
    return t if not inner or inner[-1] in ".!?…؟۔" else t + punctuation(lang).stop


def clamp(text: str, limit: int = MAX_CHARS) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,،;:—–-") + "…"


def _fold(alt: str, lang: str, photo: str | None, handle: str | None) -> str:
    """The photo description and the handle added, all within MAX_CHARS (the words give way,
    never the photo or the handle)."""
    lab = labels(lang)
    tail = ""
    if photo:
        tail += " " + _end(lab.photo.format(alt=photo.strip()) if lab else photo.strip(), lang)
    if handle and handle not in alt:
        tail += f" {handle}"
    return clamp(alt, MAX_CHARS - len(tail)) + tail


def default_alt(kind: str, text: str | None, title: str | None, name: str | None,
                role: str | None, handle: str | None, brand: str, lang: str,
                photo: str | None = None) -> str:
    """Alt text for a design's images when the author wrote none."""
    lab, p = labels(lang), punctuation(lang)
    body = plain(text or "")
    who = ((name or "") + (p.comma + role if role else "")) if name else ""
    if kind == "quote":
        if lab and who:
            alt = lab.quote_by.format(name=who) + p.colon + _quoted(body, lang)
        else:
            alt = _quoted(body, lang) + (f" — {who}" if who else "")
    elif kind == "statement":
        lead = (_end(plain(title), lang) + " ") if title else ""
        alt = lead + ((lab.statement_by.format(brand=brand) + p.colon) if lab else "") + body
    elif kind == "carousel":
        alt = ((_end(plain(title), lang) + " ") if title else "") + body
    else:
        alt = body or (lab.share.format(handle=handle or brand) if lab else handle or brand)
    return _fold(_end(alt, lang), lang, photo, handle)


def slide_alt(role: str, text: str | None, n: int, total: int, *, title: str | None,
              handle: str | None, brand: str, lang: str, photo: str | None = None) -> str:
    """Alt text for one carousel slide: the cover says the title, a content slide its own
    words, the closing slide its call to share; each says where it is in the sequence."""
    lab, p = labels(lang), punctuation(lang)
    where = lab.slide.format(n=n, total=total) if lab else f"{n}/{total}"
    if role == "cover":
        what = plain(title or text or "")
    elif role == "closing":
        if lab:
            what = lab.share.format(handle=handle) if handle else lab.share_no_handle
        else:
            what = handle or brand
    else:
        what = plain(text or "")
    alt = _end(where + p.colon + what, lang)
    return _fold(alt, lang, photo if role == "cover" else None, None)
