"""Messages a communications officer can act on: YAML syntax errors and silent mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from shareables.cli import main


def validate(project: Path, *paths: str):
    return CliRunner().invoke(main, ["validate", "--project", str(project), "--no-render",
                                     *[str(project / p) for p in paths]])


def write(project: Path, rel: str, text: str) -> str:
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text(text, encoding="utf-8")
    return rel


F = "designs/palestine/new.yaml"


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(
        "kind: quote\ntext: Hi\nattribution:\n\tname: Amal\n",
        f"{F}:4:1: not valid YAML: there is a tab character here; YAML only accepts spaces for "
        "indentation; replace the tab with spaces, e.g. two spaces before `name:` in "
        "`attribution:` ↵ `  name: Jamila Afghani`", id="tab"),
    pytest.param(
        "kind: quote\ntext: Hi\nattribution: {name: Amal}\nhighlight: [Hi]\ncaption: x\n"
        "alt: y\ntheme palestine\n",
        f"{F}:7:1: not valid YAML: `theme palestine` is missing its colon; every line is "
        "`key: value`; write it as `theme: palestine`", id="missing-colon-last-line"),
    pytest.param(
        "kind: quote\ntext: “Freedom: now and always”\nattribution: {name: Amal}\n",
        f"{F}:2:7: not valid YAML: text: the text starts with a curly quote (“), which YAML does "
        "not treat as a quote, so the colon inside it looks like a new key; put straight quotes "
        'around the text: text: "Freedom: now and always"', id="curly-quotes-with-colon"),
    pytest.param(
        "kind: quote\ntext: Freedom: now\n",
        f"{F}:2:14: not valid YAML: text: the text contains a colon followed by a space, which "
        'YAML reads as a new key; put the whole text in quotes: text: "Freedom: now"',
        id="plain-colon"),
    pytest.param(
        "kind: quote\ntext: Hi\nattribution:\n  name: Amal\n   role: Organiser\n",
        f"{F}:5:4: not valid YAML: `role:` is indented differently from the line above it; line "
        "up `role:` with `name:` above it (2 spaces)", id="indentation"),
    pytest.param(
        'kind: quote\ntext: "Hi\ncaption: x\n',
        f"{F}:2:7: not valid YAML: the quote opened on line 2 is never closed; add the closing "
        "quote at the end of the text", id="unclosed-quote"),
    pytest.param(
        "kind: quote\ncaption: @madrespeaks share\n",
        f"{F}:2:10: not valid YAML: a value cannot start with @ unless it is in quotes; write it "
        'as caption: "@madrespeaks share"', id="at-sign"),
    pytest.param(
        'kind: quote\ntext: "Hi" she said\n',
        f"{F}:2:12: not valid YAML: text: there is more text after the closing quote; quote the "
        "whole text, e.g. text: '\"Hi\" she said'", id="text-after-quote"),
    pytest.param(
        "kind: quote\ntext: Saved my life.\nattribution: Jamila Afghani, Afghan Human Rights "
        "Defender\n",
        f"{F}:3:14: attribution: needs a name written as `name:`; write it as `attribution: "
        "{name: Jamila Afghani, role: Afghan Human Rights Defender}`", id="attribution-text"),
    pytest.param(
        "kind: quote\ntext: Saved my life.\nattribution: Jamila Afghani\n",
        f"{F}:3:14: attribution: needs a name written as `name:`; write it as `attribution: "
        "{name: Jamila Afghani}` (a role is optional: `{name: …, role: …}`)",
        id="attribution-name-only"),
    pytest.param(
        "kind: quote\ntext: Saved my life.\nattribution: {name: A}\nhighlight: my life\n",
        f'{F}:4:12: highlight: must be a list, even for one item; write it as `highlight: '
        '["my life"]`', id="highlight-text"),
])
def test_yaml_mistakes_in_plain_words(project: Path, text: str, message: str):
    write(project, F, text)
    result = validate(project, F)
    assert result.exit_code == 1
    assert message in result.output.splitlines(), result.output


def warnings_of(project: Path, text: str) -> list[str]:
    write(project, F, text)
    result = validate(project, F)
    assert result.exit_code == 0, result.output
    return [ln for ln in result.output.splitlines() if ln.startswith("warning:")]


def test_hashtag_swallowed_as_a_comment(project: Path):
    assert warnings_of(project, "kind: quote\ntext: Hi\nattribution: {name: A}  # who\n"
                       "caption: Stand with the women of Sudan #Sudan @ourhandle\n") == [
        f'warning: {F}:4:40: caption: everything from "#Sudan @ourhandle" on is read as a '
        "comment and left out of the text; put the whole value in quotes: caption: \"Stand "
        'with the women of Sudan #Sudan @ourhandle"']


def test_highlight_not_in_the_text_names_the_closest_words(project: Path):
    assert warnings_of(project, "kind: quote\ntext: “They saved my life,” she said.\n"
                       "attribution: {name: A}\n"
                       "highlight: ['saved my lives', '\"They saved', 'SHE said']\n") == [
        f'warning: {F}:4:13: highlight[0]: "saved my lives" is not in the text, so nothing is '
        'highlighted; the closest words in the text are "saved my life"; copy them exactly']


def test_caption_too_long_counted_as_each_platform_counts(project: Path):
    caption = "Stand with Sudan 🇸🇩 https://example.org/" + "a" * 300 + " " + "x" * 240
    warned = warnings_of(project, f"kind: quote\ntext: Hi\nattribution: {{name: A}}\n"
                         f"caption: \"{caption}\"\nplatforms: [x, bluesky, threads, linkedin]\n")
    assert warned == [
        f"warning: {F}:4:10: caption: the caption is too long for X (284 of 280; links count "
        "23, emoji 2), Bluesky (580 of 300; as characters you see), Threads (587 of 500; emoji "
        "count as their bytes); shorten it to 280 "
        "characters so supporters can paste it as it is"]


def test_threads_counts_emoji_bytes(project: Path):
    caption = "🇸🇩" * 60 + "a" * 30
    warned = warnings_of(project, f"kind: quote\ntext: Hi\nattribution: {{name: A}}\n"
                         f"caption: \"{caption}\"\nplatforms: [threads, instagram-square]\n")
    assert warned == [
        f"warning: {F}:4:10: caption: the caption is too long for Threads (510 of 500; emoji "
        "count as their bytes); shorten it to 500 characters so supporters can paste it as it "
        "is"]


def test_platform_exclusions(project: Path):
    from shareables.project.design import load_designs
    from shareables.project.settings import load_settings

    write(project, "designs/palestine/a.yaml", "kind: tag\nplatforms: {exclude: [x]}\n")
    write(project, "designs/palestine/b.yaml", "kind: tag\nplatforms: [-x, -instagram-square]\n")
    designs, errors = load_designs(project, load_settings(project))
    assert errors == []
    by_id = {d.id: d.variants[0].platforms for d in designs}
    assert by_id["a"] == ("instagram-square", "linkedin-document")
    assert by_id["b"] == ("linkedin-document",)
    write(project, "designs/palestine/b.yaml", "kind: tag\nplatforms: {exclude: [xx]}\n")
    write(project, "designs/palestine/a.yaml",
          "kind: tag\nplatforms: {exclude: [x, instagram-square, linkedin-document]}\n")
    result = validate(project)
    assert result.output.splitlines()[:2] == [
        "designs/palestine/a.yaml:2:12: platforms: leaves no platform to build for; exclude "
        "fewer platforms, or list the ones to build: platforms: [x, linkedin]",
        "designs/palestine/b.yaml:2:23: platforms.exclude[0]: unknown platform 'xx'; did you "
        "mean 'x'?"]
