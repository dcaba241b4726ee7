"""Reading vendor lead files: encodings, delimiters, line ends, awkward rows, unreadable files."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadchase.errors import ImportFileError
from leadchase.importing.reader import FileFormat, RawRow, open_rows, sniff

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BOMS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def write(folder: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    """A lead file holding `text` exactly (no newline translation), with a BOM if asked."""
    path = folder / "leads.csv"
    prefix = BOMS.get(encoding, codecs.BOM_UTF8) if bom else b""
    path.write_bytes(prefix + text.encode(encoding))
    return path


def read_all(path: Path) -> tuple[FileFormat, list[str], list[RawRow]]:
    fmt = sniff(path)
    with open_rows(path, fmt) as lead_file:
        return fmt, lead_file.header, list(lead_file)


def error_for(path: Path) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_all(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


ACCENTED = "name,note\r\nJosé O’Brien,“Chip” – café\r\n"


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("utf-16-le", True, "utf-16"),
        ("utf-16-be", True, "utf-16"),
        ("utf-16-le", False, "utf-16-le"),
        ("utf-16-be", False, "utf-16-be"),
        ("cp1252", False, "cp1252"),
    ],
)
def test_each_encoding_vendors_send_reads_back_the_right_characters(
    tmp_path: Path, encoding: str, bom: bool, expected: str
) -> None:
    fmt, header, rows = read_all(write(tmp_path, ACCENTED, encoding, bom))
    assert fmt == FileFormat(expected, ",")
    assert header == ["name", "note"]
    assert rows == [RawRow(2, ["José O’Brien", "“Chip” – café"])]


def test_bytes_windows_1252_leaves_undefined_fall_back_to_latin_1(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(b"name,code\nRen\xe9e,\x81A\n")
    fmt, _, rows = read_all(path)
    assert fmt.encoding == "latin-1"
    assert rows[0].fields == ["Renée", "\x81A"]


def test_a_windows_1252_byte_on_line_90000_is_still_found(tmp_path: Path) -> None:
    body = "".join(f"Lead{n},5551234{n % 1000:03d}\n" for n in range(2, 90_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("name,phone\n" + body).encode() + "O’Brien,3058142291\n".encode("cp1252"))
    fmt, _, rows = read_all(path)
    assert fmt == FileFormat("cp1252", ",")
    assert rows[-1] == RawRow(90_000, ["O’Brien", "3058142291"])


def test_a_file_of_utf8_and_windows_1252_lines_is_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "name,phone\r\nJosé Núñez,3058142291\r\n".encode()
        + "José O’Brien,3058142292\r\nRenée Dubois,3058142293\r\n".encode("cp1252")
        + '"Zoë\nAnn",3058142294\r\n'.encode()
    )
    fmt = sniff(path)
    assert fmt == FileFormat("utf-8", ",", fallback="cp1252")
    with open_rows(path, fmt) as lead_file:
        rows = list(lead_file)
        assert [row.fields[0] for row in rows] == [
            "José Núñez", "José O’Brien", "Renée Dubois", "Zoë\nAnn"
        ]  # fmt: skip
        assert [row.line for row in rows] == [2, 3, 4, 5]
        assert (lead_file.fallback_lines.count, lead_file.fallback_lines.first) == (2, [3, 4])


def test_a_utf8_bom_file_with_a_windows_1252_line_reads_both(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"name,phone\nO\x92Brien,3058142291\n")
    fmt, header, rows = read_all(path)
    assert fmt == FileFormat("utf-8-sig", ",", fallback="cp1252")
    assert header == ["name", "phone"] and rows[0].fields == ["O’Brien", "3058142291"]


def test_mixed_lines_fall_back_to_latin_1_only_for_their_own_bytes(tmp_path: Path) -> None:
    """UTF-8 'Á' is C3 81, a byte Windows-1252 leaves undefined: only the other lines count."""
    path = tmp_path / "mixed.csv"
    path.write_bytes("name,phone\nÁlvaro,3058142291\n".encode() + b"Ren\xe9e,3058142292\n")
    fmt, _, rows = read_all(path)
    assert fmt.fallback == "cp1252"
    assert [row.fields[0] for row in rows] == ["Álvaro", "Renée"]


def test_a_mixed_file_with_old_mac_line_ends_reads_every_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("name,phone\rJosé,3058142291\r".encode() + b"Ren\xe9e,3058142292\r")
    fmt, _, rows = read_all(path)
    assert fmt.fallback == "cp1252"
    assert [(row.line, row.fields[0]) for row in rows] == [(2, "José"), (3, "Renée")]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_each_delimiter_is_detected_from_the_header(tmp_path: Path, delimiter: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(
        [["first", "last", "phone"], ["Ann", "Lee, Jr.;\t|", "3058142291"]]
    )
    fmt, header, rows = read_all(write(tmp_path, buffer.getvalue()))
    assert fmt.delimiter == delimiter
    assert header == ["first", "last", "phone"]
    assert rows[0].fields == ["Ann", "Lee, Jr.;\t|", "3058142291"]


def test_delimiters_inside_quoted_header_names_do_not_count(tmp_path: Path) -> None:
    fmt, header, _ = read_all(write(tmp_path, '"Name, Full";"Phone, Best";Email\nA;1;a@b.co\n'))
    assert fmt.delimiter == ";"
    assert header == ["Name, Full", "Phone, Best", "Email"]


def test_a_tie_in_the_header_is_settled_by_the_data_rows(tmp_path: Path) -> None:
    # The header splits in two either way; the rows say which split is meant.
    assert sniff(write(tmp_path, "a;b,c\n1;2\n3;4\n")).delimiter == ";"
    assert sniff(write(tmp_path, "a;b,c\n1,2\n3,4\n")).delimiter == ","


def test_a_tie_the_data_cannot_settle_is_an_error(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "a;b,c\nx\ny\n"))
    assert "cannot tell the delimiter" in message
    assert "comma and semicolon" in message


def test_a_single_column_file_reads_as_comma(tmp_path: Path) -> None:
    fmt, header, rows = read_all(write(tmp_path, "Email\nann@example.com\n"))
    assert fmt.delimiter == ","
    assert header == ["Email"]
    assert rows == [RawRow(2, ["ann@example.com"])]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_ends_and_embedded_newlines_keep_physical_line_numbers(
    tmp_path: Path, newline: str
) -> None:
    lines = [
        "name,address,phone",
        "",
        'Ann,"1 Elm St',
        'Apt ""B""",3058142291',
        "Bo,2 Oak St,3058142292",
        "   ",
        ",,",
        'Cy,"3 Ash, Unit 4",3058142293',
    ]
    _, header, rows = read_all(write(tmp_path, newline.join(lines) + newline))
    assert header == ["name", "address", "phone"]
    assert rows == [
        RawRow(3, ["Ann", f'1 Elm St{newline}Apt "B"', "3058142291"]),
        RawRow(5, ["Bo", "2 Oak St", "3058142292"]),
        RawRow(8, ["Cy", "3 Ash, Unit 4", "3058142293"]),
    ]


def test_header_names_are_trimmed_and_made_unique(tmp_path: Path) -> None:
    text = "\ufeff Phone ,Name,, Phone,Phone (2)\n1,2,3,4,5\n"
    _, header, _ = read_all(write(tmp_path, text))
    assert header == ["Phone", "Name", "Column 3", "Phone (2)", "Phone (2) (2)"]


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    _, header, rows = read_all(write(tmp_path, "\n\nname,phone\nAnn,1\n"))
    assert header == ["name", "phone"]
    assert rows == [RawRow(4, ["Ann", "1"])]


def test_short_rows_are_padded_and_long_rows_kept_for_the_caller_to_reject(
    tmp_path: Path,
) -> None:
    text = "a,b,c\n1\n1,2,3,,\n1,2,3,4\n1,2,3, ,\n"
    _, _, rows = read_all(write(tmp_path, text))
    assert [row.fields for row in rows] == [
        ["1", "", ""],
        ["1", "2", "3"],
        ["1", "2", "3", "4"],
        ["1", "2", "3"],
    ]


def test_rows_that_do_not_line_up_with_the_header_are_refused(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "a,b\n1,2,3\n4,5,6\n7,8\n"))
    assert "rows do not line up with the header: detected delimiter comma" in message


def test_rows_using_another_delimiter_than_the_header_are_refused(tmp_path: Path) -> None:
    text = "name;phone;email\nAnn,3058142291,ann@example.com\nBo,3058142292,bo@example.com\n"
    assert "detected delimiter semicolon" in error_for(write(tmp_path, text))


def test_an_unclosed_quote_is_reported_at_its_line(tmp_path: Path) -> None:
    text = 'name,note,phone\nAnn,"oops,3058142291\nBo,fine,3058142292\nCy,fine,3058142293\n'
    assert "line 2: a double quote opened in this row is never closed" in error_for(
        write(tmp_path, text)
    )


def test_a_short_last_row_spanning_lines_is_not_mistaken_for_an_open_quote(
    tmp_path: Path,
) -> None:
    _, _, rows = read_all(write(tmp_path, 'name,address,phone\nAnn,"1 Elm\nApt 2"\n'))
    assert rows == [RawRow(2, ["Ann", "1 Elm\nApt 2", ""])]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\n\r\n  \n", "has no header line"),
        (b"name,phone\r\n", "has a header but no lead rows"),
        (b"name,phone\n\n,\n", "has a header but no lead rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Excel 97-2003 workbook (.xls)"),
        (b"name,phone\nAnn\x00\x01\x02,3\n", "is not a text file (NUL byte at byte 14)"),
    ],
)
def test_files_that_are_not_lead_lists_are_refused(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    assert expected in error_for(path)


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


XLSX = {"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "xl/workbook.xml": ""}
ODS = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
SPREADSHEET_ML = (
    '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>\n'
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "is a PDF, not a lead list; export the leads as CSV from the vendor's site"),
        (b'[{"name": "Ann Lee", "phone": "4155552671"}]', "is JSON, not a lead list"),
        (b'\xef\xbb\xbf  {\n  "leads": []\n}\n', "is JSON, not a lead list"),
        (b"<!DOCTYPE html>\n<html><body><table><tr><td>Ann</td></tr></table>", "is a web page"),
        (b"\r\n<HTML xmlns:x='urn:schemas-microsoft-com:office:excel'><table>", "is a web page"),
        (
            SPREADSHEET_ML.encode(),
            "is an Excel XML spreadsheet; open it in Excel and save it as CSV",
        ),
        (_zip(XLSX), "is an Excel workbook (.xlsx); open it in Excel and save it as CSV"),
        (_zip(ODS), "is an OpenDocument spreadsheet (.ods); save it as CSV"),
        (_zip({"leads.csv": "name,phone\n"}), "is a zip archive; unzip it and import the CSV"),
        (gzip.compress(b"name,phone\nAnn,4155552671\n"), "is compressed (gzip); decompress it"),
    ],
)
def test_other_kinds_of_file_are_named_with_what_to_do(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    assert expected in error_for(path)


def test_a_header_that_starts_with_a_bracket_is_still_a_lead_list(tmp_path: Path) -> None:
    _, header, rows = read_all(write(tmp_path, "[ID],Name,Phone\n1,Ann Lee,4155552671\n"))
    assert header == ["[ID]", "Name", "Phone"] and len(rows) == 1


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    assert "no such file" in error_for(tmp_path / "nope.csv")
    assert "is a folder" in error_for(tmp_path)


def test_rows_stream_and_report_progress(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    row = "Ann,Lee,3058142291,ann@example.com,FL,33186\n"
    path.write_text("first,last,phone,email,state,zip\n" + row * 40_000)
    with open_rows(path, sniff(path)) as lead_file:
        assert lead_file.total_bytes == path.stat().st_size
        rows = iter(lead_file)
        for _ in range(500):
            next(rows)
        assert 0 < lead_file.bytes_read < lead_file.total_bytes / 4
        assert sum(1 for _ in rows) == 40_000 - 500
        assert lead_file.bytes_read == lead_file.total_bytes
    assert lead_file.bytes_read == lead_file.total_bytes


@pytest.mark.parametrize(
    ("name", "expected", "rows"),
    [
        ("facebook_leads.tsv", FileFormat("utf-16", "\t"), 12),
        ("aged_leads_excel.csv", FileFormat("cp1252", ","), 17),
        ("website_leads.csv", FileFormat("utf-8", ","), 8),
    ],
)
def test_shipped_samples_sniff_as_documented(name: str, expected: FileFormat, rows: int) -> None:
    fmt, header, read = read_all(SAMPLES / name)
    assert fmt == expected
    assert len(read) == rows
    assert all(len(row.fields) == len(header) for row in read)


def test_the_excel_sample_keeps_its_awkward_cells() -> None:
    _, header, rows = read_all(SAMPLES / "aged_leads_excel.csv")
    assert header[:2] == ["FNAME", "LNAME"]
    cells = {cell for row in rows for cell in row.fields}
    assert {"O’Brien", "Charles “Chip”", "Andrés", "88 Winter St, Apt 3B", "7030"} <= cells
    assert "2207 Dove Creek Ln\nUnit 12" in cells
    assert rows[3].line == 6  # the row after the embedded line break


# Random tables: csv.writer in, sniff + open_rows out, for every encoding and delimiter.
HEADER_NAME = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1, max_size=8
)
ANY_TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
# Windows-1252 text without the accented letters whose bytes could also read as UTF-8.
CP1252_TEXT = st.sampled_from(
    [chr(c) for c in range(9, 127) if c in (9, 10, 13) or c >= 32]
    + list("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿")
)
ENCODINGS = [("utf-8", False), ("utf-8", True), ("utf-16-le", True), ("utf-16-be", True)]


def is_blank(row: list[str]) -> bool:
    return not "".join(row).strip()


@st.composite
def lead_tables(draw: st.DrawFn) -> tuple[str, bool, str, list[str], list[list[str]]]:
    encoding, bom = draw(st.sampled_from([*ENCODINGS, ("cp1252", False)]))
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    header = draw(st.lists(HEADER_NAME, min_size=2, max_size=5, unique=True))
    cell = st.text(CP1252_TEXT if encoding == "cp1252" else ANY_TEXT, max_size=12)
    # A row whose only text sits in its first cell reads like a wrong delimiter: not generated.
    rows = st.lists(cell, min_size=len(header), max_size=len(header)).filter(
        lambda row: any(row[1:]) or not any(d in row[0] for d in ",\t;|")
    )
    table = draw(st.lists(rows, min_size=1, max_size=8).filter(lambda t: not all(map(is_blank, t))))
    return encoding, bom, delimiter, header, table


@settings(max_examples=150, deadline=None)
@given(lead_tables())
def test_random_tables_round_trip_exactly(
    table: tuple[str, bool, str, list[str], list[list[str]]],
) -> None:
    encoding, bom, delimiter, header, rows = table
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        fmt, read_header, read_rows = read_all(
            write(Path(folder), buffer.getvalue(), encoding, bom)
        )
    assert fmt.delimiter == delimiter
    assert read_header == header
    assert [row.fields for row in read_rows] == [row for row in rows if not is_blank(row)]
