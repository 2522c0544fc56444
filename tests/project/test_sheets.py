"""Spreadsheets as designs: rows, ROW:COLUMN errors, translations, dialects, formulas, import."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook

from shareables.cli import main

HEADER = "kind,id,text,attribution.name,attribution.role,highlight,caption,text@ar"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def sheet(project: Path, name: str, text: str | bytes) -> Path:
    path = project / "designs" / "sudan" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def xlsx(project: Path, name: str, rows: list[list[object]]) -> Path:
    path = project / "designs" / "sudan" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def designs_of(project: Path):
    from shareables.project.design import load_designs
    from shareables.project.settings import load_settings

    return load_designs(project, load_settings(project))


def test_csv_rows_become_designs_with_ids_translations_and_kind_from_the_file_name(
        project: Path):
    sheet(project, "quotes.csv", HEADER.replace("kind,", "") + "\n"
          ",Women of Sudan keep the kitchens open,Amal,Organiser,kitchens,Stand with Sudan,"
          "نساء السودان يبقين المطابخ مفتوحة\n"
          "nura,We will rebuild,Nura,,,,\n")
    designs, errors = designs_of(project)
    assert errors == []
    rows = {d.id: d for d in designs if d.rel == "designs/sudan/quotes.csv"}
    assert set(rows) == {"women-of-sudan-keep-the-kitchens", "nura"}
    first = rows["women-of-sudan-keep-the-kitchens"]
    assert (first.kind, first.campaign, first.row) == ("quote", "sudan", 2)
    en, ar = first.variants
    assert (en.text, en.attribution.name, en.attribution.role, en.highlight, en.caption) == (
        "Women of Sudan keep the kitchens open", "Amal", "Organiser", ("kitchens",),
        "Stand with Sudan")
    assert (ar.lang, ar.direction, ar.text, ar.attribution.name) == (
        "ar", "rtl", "نساء السودان يبقين المطابخ مفتوحة", "Amal")
    result = run("validate", "--project", str(project), "--no-render")
    assert result.exit_code == 0, result.output


def test_a_bad_row_is_reported_at_row_and_column_and_never_stops_the_others(project: Path):
    sheet(project, "quotes.csv", HEADER + "\n"
          "quote,good-one,Good words,Amal,,,,\n"
          "quote,,,Amal,,,,\n"                      # row 3: no text
          "quote,no-name,Words,,Role only,,,\n"     # row 4: no attribution.name
          "qoute,typo,Words,Amal,,,,\n"             # row 5: unknown kind
          "quote,Bad Id,Words,Amal,,,,\n"           # row 6: invalid id
          "quote,good-one,Again,Amal,,,,\n")        # row 7: duplicate id
    result = run("validate", "--project", str(project), "--no-render")
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("designs/sudan")]
    assert lines == [
        "designs/sudan/quotes.csv:3:text: required for a quote; fill in the text cell",
        "designs/sudan/quotes.csv:4:attribution.name: required; fill in the attribution.name "
        "cell",
        "designs/sudan/quotes.csv:5:kind: unknown value 'qoute' (one of: quote, statement, tag, "
        "carousel); did you mean 'quote'?",
        "designs/sudan/quotes.csv:6:id: is not a valid id ('Bad Id'); use lowercase letters, "
        "digits and hyphens (at most 64), e.g. jamila-afghani",
        "designs/sudan/quotes.csv:7:id: the id 'good-one' is already used by "
        "designs/sudan/quotes.csv (row 2); ids must be unique across the project; set another "
        "`id:`",
    ]
    designs, _ = designs_of(project)
    assert "good-one" in {d.id for d in designs}  # row 2 still loads and builds


def test_header_problems_point_at_row_1_and_their_column(project: Path):
    sheet(project, "quotes.csv", "kind,txet,attribution.name,theme@ar\nquote,Hi,Amal,x\n")
    result = run("validate", "--project", str(project), "--no-render")
    lines = [ln for ln in result.output.splitlines() if ln.startswith("designs/sudan")]
    assert lines == [
        "designs/sudan/quotes.csv:1:txet: unknown column 'txet'; did you mean 'text'?",
        "designs/sudan/quotes.csv:1:theme@ar: 'theme@ar' cannot be a translation column; "
        "translations take alt, attribution.name, attribution.role, caption, date, highlight, "
        "slides, text, title",
        "designs/sudan/quotes.csv:2:text: required for a quote; add a column text and fill it in",
    ]


def test_bom_and_semicolons_as_excel_writes_them(project: Path):
    sheet(project, "quotes.csv", b"\xef\xbb\xbfid;text;attribution.name;caption\r\n"
          b"amal;\"Bread, water; and courage\";Amal;Share it\r\n")
    designs, errors = designs_of(project)
    assert errors == []
    amal = next(d for d in designs if d.id == "amal")
    assert amal.variants[0].text == "Bread, water; and courage"
    assert amal.variants[0].caption == "Share it"


def test_not_utf8_says_how_to_export(project: Path):
    sheet(project, "quotes.csv", "id,text,attribution.name\namal,Caf\u00e9,Amal\n"
          .encode("cp1252"))
    result = run("validate", "--project", str(project), "--no-render")
    assert ("designs/sudan/quotes.csv: not UTF-8 text (bad byte at offset 33); in Excel use "
            "File > Save As > “CSV UTF-8”; Google Sheets downloads are already UTF-8"
            ) in result.output.splitlines()


def test_xlsx_rows_with_formulas_kept_as_text_numbers_and_a_defaults_row(project: Path):
    xlsx(project, "statements.xlsx", [
        ["id", "title", "text", "caption", "theme", "platforms"],
        ["*", None, None, "Stand with Sudan @madrespeaks", None, "-x"],
        ["sum", 2024, "=SUM(A1:A3)", None, None, None],
        ["hello", "Title", "=HYPERLINK(\"http://x\")", "Own caption", None, None],
        [None, None, None, None, None, None],  # blank rows are skipped
        ["bad", "T", "Words", None, "nope", None],
    ])
    designs, errors = designs_of(project)
    assert [str(e) for e in errors] == [
        "designs/sudan/statements.xlsx:6:theme: unknown theme 'nope'; themes in "
        "shareables.yaml: palestine, afghanistan"]
    rows = {d.id: d for d in designs if d.rel.endswith(".xlsx")}
    assert set(rows) == {"sum", "hello"}
    s = rows["sum"].variants[0]
    assert (s.kind, s.title, s.text, s.caption) == (
        "statement", "2024", "=SUM(A1:A3)", "Stand with Sudan @madrespeaks")
    assert "x" not in s.platforms and s.platforms  # -x: the project's list without X
    assert rows["hello"].variants[0].text == '=HYPERLINK("http://x")'
    assert rows["hello"].variants[0].caption == "Own caption"


def test_cells_are_never_yaml(project: Path):
    sheet(project, "quotes.csv", "id,text,attribution.name\n"
          "tags,!!python/object:os.system ls,\"&a [1, *a]\"\n"
          "no,no,yes\n")
    designs, errors = designs_of(project)
    assert errors == []
    by_id = {d.id: d.variants[0] for d in designs}
    assert by_id["tags"].text == "!!python/object:os.system ls"
    assert by_id["tags"].attribution.name == "&a [1, *a]"
    assert (by_id["no"].text, by_id["no"].attribution.name) == ("no", "yes")


def test_render_errors_in_a_row_point_at_its_row_and_column(project: Path):
    sheet(project, "quotes.csv", "id,text,attribution.name,text@ar\n"
          "glyph,Fine words,Amal,كلمات 𒀀\n")
    result = run("validate", "--project", str(project))
    assert ("designs/sudan/quotes.csv:2:text@ar: no font in the list can draw '𒀀' (U+12000); "
            "remove the characters or add a font that has them to the theme's fonts"
            ) in result.output.splitlines()


def test_import_to_yaml_builds_the_same_images(project: Path, tmp_path: Path):
    import hashlib
    import json
    import shutil

    sheet(project, "quotes.csv", HEADER + "\n"
          "quote,amal,\"Bread, water\nand courage\",Amal,Organiser,courage,Share #Sudan,"
          "خبز وماء\n"
          "quote,,Bad row without a name,,,,,\n")
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)

    def built(root: Path) -> dict[str, str]:
        result = run("build", "--project", str(root), str(root / "designs/sudan"))
        assert result.exit_code in (0, 1), result.output
        manifest = json.loads((root / "output" / "manifest.json").read_text())
        return {a["path"]: hashlib.sha256((root / "output" / a["path"]).read_bytes()).hexdigest()
                for a in manifest["artefacts"] if a["path"].startswith("sudan/")}

    result = run("import", "--project", str(twin), str(twin / "designs/sudan/quotes.csv"),
                 "--to-yaml")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "designs/sudan/quotes.csv:3:attribution.name: required for a quote; fill in the "
        "attribution.name cell",
        "Wrote 1 design files",
        "Renamed quotes.csv to _quotes.csv (ignored from now on)",
    ]
    written = (twin / "designs/sudan/amal.yaml").read_text()
    assert written.startswith("# yaml-language-server: $schema=../../schemas/design.schema.json"
                              "\n# imported from quotes.csv row 2\nkind: quote\n")
    from_sheet, from_yaml = built(project), built(twin)
    assert from_sheet and from_sheet == from_yaml
