"""docs/security.md names a test for every defence it claims: each one must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
CITED = re.compile(r"`(tests/test_\w+\.py)::(test_\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_test_the_security_page_cites_exists() -> None:
    page = (PROJECT / "docs" / "security.md").read_text(encoding="utf-8")
    cited = CITED.findall(page)
    assert len(cited) >= 30
    missing = [
        f"{file}::{name}"
        for file, name in cited
        if not (PROJECT / file).exists() or name not in _tests_in(PROJECT / file)
    ]
    assert missing == []


def test_every_defence_row_cites_a_test() -> None:
    page = (PROJECT / "docs" / "security.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]
    defences = [row for row in rows if not row.startswith("| Defence ")]
    assert defences and all(CITED.search(row.split(" | ")[-1]) for row in defences), defences
