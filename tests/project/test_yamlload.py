"""The safe loader: anything at all either loads or raises the project's own error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shareables.errors import DesignError
from shareables.project.yamlload import load_file, load_text

yaml_ish = st.text(
    alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,? \n\t0123456789.~<=\\") + ["\u200f", "ك"]),
    max_size=200,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(yaml_ish, st.text(max_size=200)))
def test_any_text_loads_or_raises_design_error(text: str):
    try:
        load_text(text, "designs/x.yaml")
    except DesignError as e:
        assert str(e).startswith("designs/x.yaml")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_raise_design_error(tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("y") / "x.yaml"
    path.write_bytes(data)
    try:
        load_file(path, "designs/x.yaml")
    except DesignError as e:
        assert str(e).startswith("designs/x.yaml")


def test_marks_point_at_values_and_keys():
    doc = load_text("kind: quote\nattribution:\n  name: Jamila\n", "f.yaml")
    assert doc.where(("attribution", "name")) == (3, 9)
    assert doc.where(("attribution", "name"), key=True) == (3, 3)
    assert doc.where(("attribution", "role")) == (3, 3)  # nearest parent


def test_dates_stay_text_and_merge_keys_are_refused_via_aliases():
    assert load_text("date: 2024-05-21\n", "f").data == {"date": "2024-05-21"}
    with pytest.raises(DesignError, match="aliases"):
        load_text("a: &x {k: 1}\nb:\n  <<: *x\n", "f")


def test_deep_nesting_is_refused():
    with pytest.raises(DesignError, match="nesting is too deep"):
        load_text("[" * 500 + "]" * 500, "f")


def test_not_utf8(tmp_path: Path):
    p = tmp_path / "x.yaml"
    p.write_bytes(b"text: \xff\xfe caf\xe9")
    with pytest.raises(DesignError, match=r"not UTF-8 text \(bad byte at offset 6\)"):
        load_file(p, "designs/x.yaml")
