"""Design loading and `shareables validate`: exit codes and the exact messages users see."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from shareables.cli import main
from shareables.project.design import load_designs
from shareables.project.settings import load_settings

REPO = Path(__file__).resolve().parents[2]

SETTINGS = """\
brand:
  name: MADRE
  handle: "@madrespeaks"
  colors: {background: "#5b1f6b", text: "#ffffff", accent: "#f2b134"}
themes:
  palestine: {colors: {background: "#0f3d2e", accent: "#ff7a6e"}}
platforms: [instagram-square, x]
"""

GOOD_QUOTE = """\
kind: quote
text: It was called Palestine. Its name became Palestine.
attribution: {name: Mahmoud Darwish}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A minimal project: settings, one good design, the vendored fonts (hard links or
    copies: a symlink out of the project is refused)."""
    (tmp_path / "shareables.yaml").write_text(SETTINGS)
    (tmp_path / "fonts").mkdir()
    for font in (REPO / "fonts").glob("*.[ot]tf"):
        try:
            os.link(font, tmp_path / "fonts" / font.name)
        except OSError:
            shutil.copy(font, tmp_path / "fonts" / font.name)
    (tmp_path / "designs" / "palestine").mkdir(parents=True)
    (tmp_path / "designs" / "palestine" / "good.yaml").write_text(GOOD_QUOTE)
    return tmp_path


def write(project: Path, rel: str, text: str) -> Path:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def validate(project: Path, *args: str):
    return CliRunner().invoke(main, ["validate", "--project", str(project), *args])


def test_shipped_designs_validate():
    result = validate(REPO)
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output


def test_shipped_designs_cover_every_kind_and_both_campaigns():
    settings = load_settings(REPO)
    designs, errors = load_designs(REPO, settings)
    assert errors == []
    assert len(designs) >= 10
    assert {d.kind for d in designs} == {"quote", "statement", "tag", "carousel"}
    assert {d.campaign for d in designs} >= {"palestine", "afghanistan"}
    icc = next(d for d in designs if d.id == "icc-arrest-warrants")
    assert icc.kind == "carousel"
    darwish = next(d for d in designs if d.id == "darwish-on-this-earth")
    assert [(v.lang, v.direction) for v in darwish.variants] == [("en", "ltr"), ("ar", "rtl")]


def test_good_project_exits_zero(project: Path):
    result = validate(project)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Checked 1 designs (1 language variants, 2 platform renders): 0 problems")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "kind: quote\ntext: [unclosed\n",
            "designs/palestine/bad.yaml:2:7: not valid YAML: the [ opened on line 2 is never "
            "closed (or a comma is missing); end it with ] on the same line, e.g. "
            "`text: [first, second]`",
            id="malformed-yaml",
        ),
        pytest.param(
            "kind: quote\ntext: Hi there\nattribution: {name: A}\natribution: {name: B}\n",
            "designs/palestine/bad.yaml:4:1: atribution: unknown key 'atribution'; "
            "did you mean 'attribution'?",
            id="unknown-key",
        ),
        pytest.param(
            "kind: quote\ntext: 42\nattribution: {name: A}\n",
            "designs/palestine/bad.yaml:2:7: text: must be text, got the number 42; "
            'put it in quotes: "42"',
            id="wrong-type",
        ),
        pytest.param(
            "kind: quote\ntext: Words\n",
            "designs/palestine/bad.yaml:1:1: attribution: required for a quote; "
            "add `attribution:`",
            id="missing-attribution-for-quote",
        ),
        pytest.param(
            "kind: statement\ntitle: Hello\n",
            "designs/palestine/bad.yaml:1:1: text: required for a statement; add `text:`",
            id="missing-text-for-statement",
        ),
        pytest.param(
            "kind: carousel\ntext: Words\n",
            "designs/palestine/bad.yaml:1:1: title: required for a carousel; add `title:`",
            id="missing-title-for-carousel",
        ),
        pytest.param(
            "kind: statement\ntext: '   '\n",
            "designs/palestine/bad.yaml:2:7: text: is empty; write some text or remove the key",
            id="empty-text",
        ),
        pytest.param(
            "kind: statement\ntext: Hi\nplatforms: [instagram-sqare]\n",
            "designs/palestine/bad.yaml:3:13: platforms[0]: unknown platform 'instagram-sqare'; "
            "did you mean 'instagram-square'?",
            id="unknown-platform",
        ),
        pytest.param(
            "kind: statement\ntext: Hi\ntheme: palestin\n",
            "designs/palestine/bad.yaml:3:8: theme: unknown theme 'palestin'; "
            "did you mean 'palestine'?",
            id="unknown-theme",
        ),
        pytest.param(
            "kind: qoute\ntext: Hi\n",
            "designs/palestine/bad.yaml:1:7: kind: unknown value 'qoute' (one of: quote, "
            "statement, tag, carousel); did you mean 'quote'?",
            id="unknown-kind",
        ),
        pytest.param(
            "kind: statement\ntext: Hi\nbackground: {image: ../../../etc/passwd}\n",
            "designs/palestine/bad.yaml:3:21: background.image: '../../../etc/passwd' is outside "
            "the project; keep images, logos and fonts inside the project folder",
            id="path-traversal",
        ),
        pytest.param(
            "kind: statement\ntext: Hi\nbackground: {image: /etc/hostname}\n",
            "designs/palestine/bad.yaml:3:21: background.image: '/etc/hostname' is outside "
            "the project; keep images, logos and fonts inside the project folder",
            id="absolute-path",
        ),
        pytest.param(
            "kind: statement\ntext: Hi\ntext: Again\n",
            "designs/palestine/bad.yaml:3:1: duplicate key 'text' (first at line 2); "
            "keep one of them",
            id="duplicate-key",
        ),
        pytest.param(
            'kind: statement\na: &a ["lol","lol"]\nb: &b [*a,*a]\ntext: Hi\n',
            "designs/palestine/bad.yaml:3:8: YAML aliases (*name) are not allowed in "
            "shareables files; write the value out in full",
            id="alias-bomb",
        ),
        pytest.param(
            "kind: statement\nid: no\ntext: Hi\n",
            'designs/palestine/bad.yaml:2:5: id: must be text, got false — YAML reads `no` as '
            'false; put it in quotes: "no"',
            id="yaml11-boolean-id",
        ),
        pytest.param(
            "kind: statement\nid: 010\ntext: Hi\n",
            "designs/palestine/bad.yaml:2:5: id: must be text, got the number 8 — YAML reads "
            '`010` as a number; put it in quotes: "010"',
            id="yaml11-octal-id",
        ),
        pytest.param(
            "kind: statement\nid: Bad_Id\ntext: Hi\n",
            "designs/palestine/bad.yaml:2:5: id: is not a valid id ('Bad_Id'); use lowercase "
            "letters, digits and hyphens (at most 64), e.g. jamila-afghani",
            id="id-not-allow-listed",
        ),
    ],
)
def test_bad_design_reports_file_line_field_and_fix(project: Path, text: str, message: str):
    write(project, "designs/palestine/bad.yaml", text)
    result = validate(project)
    assert result.exit_code == 1
    assert message in result.output.splitlines(), result.output
    assert "Traceback" not in result.output


def test_every_problem_in_a_file_is_reported_at_once(project: Path):
    write(project, "designs/palestine/bad.yaml", """\
        kind: statement
        text: ""
        colour: red
        platforms: [instagram-sqare]
        theme: palestin
    """)
    result = validate(project)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("designs/")]
    assert [line.split(": ")[1] for line in lines] == [
        "text", "colour", "platforms[0]", "theme"]


def test_oversize_file(project: Path):
    write(project, "designs/palestine/big.yaml", "kind: statement\ntext: " + "x" * 300_000)
    result = validate(project)
    assert result.exit_code == 1
    assert ("designs/palestine/big.yaml: file is too large (300,022 bytes; the limit is "
            "262,144); a design is a few lines of YAML; split it or remove pasted data"
            ) in result.output.splitlines()


def test_duplicate_id_names_both_files(project: Path):
    write(project, "designs/afghanistan/good.yaml", GOOD_QUOTE)
    result = validate(project)
    assert result.exit_code == 1
    assert ("designs/palestine/good.yaml:1:1: id: the id 'good' is already used by "
            "designs/afghanistan/good.yaml; ids must be unique across the project; set another "
            "`id:`") in result.output.splitlines()


def test_missing_glyph_is_an_error_not_tofu(project: Path):
    write(project, "designs/palestine/glyph.yaml", "kind: statement\ntext: Cuneiform 𒀀 here\n")
    result = validate(project)
    assert result.exit_code == 1
    assert ("designs/palestine/glyph.yaml:2:7: text: no font in the list can draw '𒀀' (U+12000); "
            "remove the characters or add a font that has them to the theme's fonts"
            ) in result.output.splitlines()
    assert result.output.count("U+12000") == 1  # once, not once per platform


def test_text_too_long_is_one_message_listing_platforms_and_suggesting_a_carousel(
        project: Path):
    words = "Every person deserves safety, dignity and a voice in the decisions of their lives. "
    write(project, "designs/palestine/long.yaml", "kind: statement\ntext: " + words * 30 + "\n")
    result = validate(project)
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("designs/palestine/long")]
    assert len(lines) == 1, result.output  # one message, not one per platform
    assert re.fullmatch(
        r"designs/palestine/long\.yaml:2:7: text: the text does not fit at the smallest legible "
        r"size on instagram-square \(cut about [\d,]+ characters\), x \(cut about [\d,]+ "
        r"characters\); it is 2,489 characters long: consider `kind: carousel` \(add a "
        r"`title:`\), which splits the text into slides", lines[0]), lines[0]


def test_arabic_translation_problem_points_into_translations(project: Path):
    write(project, "designs/palestine/ar.yaml", """\
        kind: statement
        text: Short.
        translations:
          ar: {text: "كانت تسمى فلسطين 𒀀"}
    """)
    result = validate(project)
    assert result.exit_code == 1
    assert any(ln.startswith("designs/palestine/ar.yaml:4:14: translations.ar.text: no font")
               for ln in result.output.splitlines()), result.output


def test_unknown_font_in_settings_exits_2(project: Path):
    (project / "shareables.yaml").write_text(SETTINGS.replace(
        "  colors:", "  fonts: {body: [NotoSans-Regulr.ttf]}\n  colors:"))
    result = validate(project)
    assert result.exit_code == 2
    assert ("shareables.yaml:4:18: brand.fonts.body[0]: unknown font 'NotoSans-Regulr.ttf'; "
            "did you mean 'NotoSans-Regular.ttf'?") in result.output.splitlines()


def test_missing_settings_exits_2(tmp_path: Path):
    result = validate(tmp_path)
    assert result.exit_code == 2
    assert "run `shareables init` to create a project" in result.output


def test_json_report(project: Path):
    write(project, "designs/palestine/bad.yaml", "kind: statement\n")
    result = validate(project, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["errors"][0]["field"] == "text"
    assert report["errors"][0]["line"] == 1


def test_translation_variant_gets_its_own_direction_and_alt(project: Path):
    write(project, "designs/palestine/darwish.yaml", """\
        kind: quote
        text: It was called Palestine.
        attribution: {name: Mahmoud Darwish}
        translations:
          ar: {text: كانت تسمى فلسطين., attribution: {name: محمود درويش}}
    """)
    settings = load_settings(project)
    designs, errors = load_designs(project, settings)
    assert errors == []
    d = next(d for d in designs if d.id == "darwish")
    en, ar = d.variants
    assert (ar.lang, ar.direction, ar.original) == ("ar", "rtl", False)
    assert ar.attribution is not None and ar.attribution.name == "محمود درويش"
    assert en.alt == "Quote by Mahmoud Darwish: “It was called Palestine.” @madrespeaks"
    assert ar.alt == "اقتباس من محمود درويش: «كانت تسمى فلسطين.» @madrespeaks"
    assert d.campaign == "palestine" and ar.theme.name == "palestine"


def _rglob_scan(project: Path, paths: list[Path] | None) -> tuple[list[Path], list[Path]]:
    """What design._scan gave when it was written with rglob and resolve() (the reference)."""
    from shareables.project.design import SUFFIXES

    roots = paths or [project / "designs"]
    root_dir = project.resolve()
    found, outside = set(), set()
    for root in roots:
        for p in [root] if root.is_file() else root.rglob("*") if root.is_dir() else []:
            if p is root or (p.suffix.lower() in SUFFIXES and p.is_file()
                             and not p.name.startswith((".", "_", "~"))):
                real = p.resolve()
                (found if real.is_relative_to(root_dir) else outside).add(
                    real if real.is_relative_to(root_dir) else p.absolute())
    return sorted(found), sorted(outside)


def test_the_design_scan_finds_what_rglob_and_resolve_find(tmp_path: Path) -> None:
    """Links to files (in and out of the project) resolved, links to folders not followed,
    hidden and lock files skipped, in hidden folders too, suffixes in any case; the designs
    folder itself a link out of the project makes every file in it outside."""
    from shareables.project.design import _scan

    project, elsewhere = tmp_path / "p", tmp_path / "elsewhere"
    for rel in ("designs/a/one.yaml", "designs/a-b/two.YML", "designs/a/b/c/deep.yaml",
                "designs/.hidden/three.yaml", "designs/a/.dot.yaml", "designs/a/_draft.yaml",
                "designs/a/~$sheet.xlsx", "designs/a/sheet.xlsx", "designs/a/notes.txt",
                "designs/x./y.yaml", "photos/in.yaml", "designs/dir.yaml/inner.yml"):
        write(project, rel, "kind: quote\n")
    for rel in ("secret.yaml", "folder/four.yaml"):
        write(elsewhere, rel, "kind: quote\n")
    designs = project / "designs"
    (designs / "a" / "link-in.yaml").symlink_to(project / "photos" / "in.yaml")
    (designs / "a" / "link-out.yaml").symlink_to(elsewhere / "secret.yaml")
    (designs / "a" / "broken.yaml").symlink_to(tmp_path / "nothing.yaml")
    (designs / "linked-folder").symlink_to(elsewhere / "folder", target_is_directory=True)
    (designs / "linked.yaml").symlink_to(elsewhere / "folder", target_is_directory=True)
    (designs / "fifo.yaml").unlink(missing_ok=True)
    os.mkfifo(designs / "fifo.yaml")
    cases: list[list[Path] | None] = [
        None, [designs / "a"], [designs / "a" / "link-out.yaml", designs / "a-b"]]
    for paths in cases:
        assert _scan(project, paths) == _rglob_scan(project, paths), paths
    found, outside = _scan(project, None)
    assert len(found) == 8 and [p.name for p in outside] == ["link-out.yaml"]
    # the designs folder itself a link out of the project
    moved = tmp_path / "moved"
    designs.rename(moved)
    designs.symlink_to(moved, target_is_directory=True)
    assert _scan(project, None) == _rglob_scan(project, None)
    found, outside = _scan(project, None)
    assert found == [project / "photos" / "in.yaml"] and len(outside) == 8
