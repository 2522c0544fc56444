"""Tag cards and carousel closing slides: the call to share and the handle, as display type.

The prompt ("Download, share and tag us") and the handle are one centred group: the prompt
large in the text colour, the handle under it, larger still and in the accent colour, so the
handle is what the eye lands on and remembers. A short accent rule above the group marks it
as the sign-off.
"""

from __future__ import annotations

from . import geometry as L
from .cards import Ctx, Mark, Placed, center_on_ink, has_accent, label

CLOSING = {
    "en": "Download, share and tag us",
    "es": "Descarga, comparte y etiquétanos",
    "fr": "Téléchargez, partagez et identifiez-nous",
    "ar": "حمّلوا، شاركوا، وأشيروا إلينا",
    "fa": "دانلود کنید، به اشتراک بگذارید و ما را تگ کنید",
    "ps": "ډاونلوډ یې کړئ، شریک یې کړئ او موږ ټګ کړئ",
    "ur": "ڈاؤن لوڈ کریں، شیئر کریں اور ہمیں ٹیگ کریں",
    "he": "הורידו, שתפו ותייגו אותנו",
}
"""Default calls to share by language (sentence case, imperative, the handle follows on its
own line). A design's `closing:` replaces it; a language missing here gets the handle alone
rather than English words on, say, a Pashto card."""

PROMPT_TO_HANDLE = 0.78
"""The prompt's largest size relative to the handle's: the handle stays the anchor."""


def call_to_share(lang: str) -> str | None:
    """The default call to share in ``lang``, or None where we have no vetted wording."""
    return CLOSING.get(lang.split("-")[0].lower())


def plan_tag(ctx: Ctx, lay: L.Layout, *, closing: bool = False
             ) -> tuple[list[Placed], list[Mark]]:
    """The call to share, centred: rule, prompt, handle. ``closing`` (a carousel's last slide)
    takes the variant's ``closing`` text instead of its ``text`` (the carousel body)."""
    s, v = lay.sizes, ctx.v
    main = lay.boxes["main"]
    own = v.closing if closing else v.text
    prompt = own or call_to_share(v.lang)
    if prompt and v.handle and v.handle in prompt:
        prompt = prompt.replace(v.handle, "").strip(" \u2014-:") or None
    if not prompt and not v.handle:
        # Nothing to say in this language and no handle: sign off with the wordmark, large.
        if not v.logo:
            return [], []
        h = 2 * s["logo"]
        return [], [("logo-hero", L.Box(main.x, main.y + (main.h - h) // 2, main.w, h))]
    items: list[Placed] = []
    heights: list[int] = []
    hero_item = None
    reserve = s["rule_h"] + s["gap_m"]
    hero = s["handle_hero"]
    if v.handle:
        hero_item = label(ctx, v.handle, ctx.heading, hero,
                          L.Box(main.x, 0, main.w, round(hero * 1.4)), "handle", ctx.accent,
                          align="center", bold=True, direction="ltr")
        reserve += hero_item.block.height + s["gap_m"]
        hero = hero_item.block.size
    if prompt:
        spans = ctx.spans(prompt, v.highlight)
        cap = min(s["text_max"], round(hero * PROMPT_TO_HANDLE)) if v.handle else s["text_max"]
        st = ctx.style(ctx.heading, max(lay.floor, cap), align="center", line_height=1.14)
        block = ctx.fit(spans, st, main.w, main.h - reserve, "text")
        items.append(Placed(block, main.x, 0, "prompt", ctx.fg, has_accent(spans), body=True,
                            bold=True))
    if hero_item is not None:
        items.append(hero_item)
    heights = [s["rule_h"]] + [p.block.height for p in items]
    gaps = [s["gap_m"]] + [s["gap_s"]] * (len(items) - 1)  # prompt and handle: one group
    ys = L.stack(main.y, main.bottom, heights, gaps, "center")
    for p, y in zip(items, ys[1:], strict=True):
        p.y = y
    marks: list[Mark] = [("rule", L.Box(main.x + (main.w - s["rule_w"]) // 2, ys[0],
                                        s["rule_w"], s["rule_h"]))]
    marks = center_on_ink(lay, main, items, marks)
    if v.logo and "logo" in lay.boxes and lay.kind == "tag":
        marks.append(("logo-center", lay.boxes["logo"]))
    return items, marks
