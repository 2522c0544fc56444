"""Caption length warnings skip the exact counters only when an upper bound already fits:
the bound must never be below what the platform counts, or a warning would be lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shareables.project.warnings import CAPTION_LIMITS, _surely_within, caption_warning

PIECES = st.sampled_from([
    "a", "Stand with Sudan ", "#Sudan ", "@madrespeaks ", "é", "e\u0301", "مدافعان ", "שלום ",
    "\ufb2c", "\u0958", "中文", "👩🏽‍⚕️", "🇵🇸", "https://madre.org/x ", "madre.org ", "a.co ",
    "x.com/a ", "1.2.3.4 ", "例え.jp ", ". ", ":", "\u200d", "\n",
])


@settings(deadline=None)  # the first call imports X's counter (0.2 s)
@given(st.lists(PIECES, max_size=120).map("".join))
def test_the_bound_is_never_below_the_exact_count(caption: str) -> None:
    for family, (_name, _limit, _how, count) in CAPTION_LIMITS.items():
        exact = count(caption)
        assert not _surely_within(family, caption, exact - 1), (family, caption, exact)


def test_a_caption_just_over_the_limit_still_warns() -> None:
    caption = "é" * 281
    warning = caption_warning(caption, ["x"], (4, 10), "designs/a.yaml", "caption")
    assert warning is not None and "X (281 of 280" in str(warning)
    assert caption_warning("é" * 140, ["x"], (4, 10), "designs/a.yaml", "caption") is None
