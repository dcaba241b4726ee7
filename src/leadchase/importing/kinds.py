"""Files that are not lead lists, told apart by their first bytes, and what to do with each.

A vendor's "download" is sometimes a PDF report, a workbook, a zip, a JSON API dump or a web
page saved with a .csv or .xls name. Read as CSV, each fails with a message about headers or
rows that sends the officer the wrong way; named for what it is, the fix is obvious.
"""

from __future__ import annotations

import codecs
import re

_EXPORT_CSV = "export the leads as CSV from the vendor's site and import that"
_SAVE_AS_CSV = "open it in Excel and save it as CSV (Comma delimited), then import that"
# JSON starts an object with a name or "}", an array with a value or "]"; a CSV header starting
# with a bracket ("[ID],Name") does not.
_JSON = re.compile(rb'(?:\{\s*["}]|\[\s*[\[{"\]0-9-])')
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|!--)\b", re.IGNORECASE)
_XML = re.compile(rb"<\?xml\b", re.IGNORECASE)


def what_else(head: bytes) -> str | None:
    """What a file starting with `head` is when it is not a lead list, with the fix; else None.

    The answer completes "FILE ...", e.g. "is a PDF, not a lead list; export the leads ...".
    """
    if head.startswith(b"%PDF-"):
        return f"is a PDF, not a lead list; {_EXPORT_CSV}"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return f"is an Excel 97-2003 workbook (.xls); {_SAVE_AS_CSV}"
    if head.startswith(b"\x1f\x8b"):
        return "is compressed (gzip); decompress it and import the CSV inside"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if _JSON.match(text):
        return f"is JSON, not a lead list; {_EXPORT_CSV}"
    if _XML.match(text) and b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return f"is an Excel XML spreadsheet; {_SAVE_AS_CSV}"
    if _HTML.match(text) or (_XML.match(text) and b"<html" in text.lower()):
        # Some vendors' "Excel" downloads are an HTML table: Excel opens those too.
        return (
            f"is a web page (HTML), not a lead list; {_EXPORT_CSV} "
            "(or open this file in Excel and save it as CSV)"
        )
    return None


def _zip_kind(head: bytes) -> str:
    # Member names are stored in plain text in each member's header; the first few are enough.
    if b"application/vnd.oasis.opendocument.spreadsheet" in head:
        return "is an OpenDocument spreadsheet (.ods); save it as CSV and import that"
    if b"xl/" in head:
        return f"is an Excel workbook (.xlsx); {_SAVE_AS_CSV}"
    return (
        "is a zip archive; unzip it and import the CSV inside "
        "(if it is an Excel workbook, open it in Excel and save it as CSV)"
    )
