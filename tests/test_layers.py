"""The packages stack in layers: no import cycles between them, and shared pieces stay below.

Each top-level package or module of leadchase is one unit. Every `import` counts, including the
ones deferred into functions to keep start-up light: a deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "leadchase"


def _unit_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "leadchase" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            if node.module == "leadchase":
                modules.update(f"leadchase.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def unit_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        unit = path.relative_to(SRC).with_suffix("").parts[0]
        targets = {_unit_of(module) for module in _imports(path)}
        graph.setdefault(unit, set()).update(t for t in targets if t and t != unit)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every unit that can reach itself, as the path that comes back to it."""
    found: list[list[str]] = []
    for start in sorted(graph):
        path = [start]
        seen = {start}
        stack = [iter(sorted(graph[start]))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                seen.discard(path.pop())
                continue
            if step == start:
                found.append([*path, start])
            elif step not in seen and step > start:
                path.append(step)
                seen.add(step)
                stack.append(iter(sorted(graph.get(step, ()))))
    return found


def test_no_import_cycles_between_packages() -> None:
    graph = unit_graph()
    assert {"cadence", "compliance", "contact", "importing", "store"} <= set(graph)
    assert cycles(graph) == []


def test_cycle_finder_reports_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_contact_details_are_shared_from_below_importing() -> None:
    graph = unit_graph()
    for unit in ("lead_work", "replies", "cadence", "contact"):
        assert "importing" not in graph[unit], f"{unit} reaches into importing/"
    # A do-not-call file is read with the lead-file reader (encoding, delimiter), nothing else.
    dnc_imports = {m for m in _imports(SRC / "dnc.py") if m.startswith("leadchase.importing")}
    assert dnc_imports == {"leadchase.importing.reader"}
    assert graph["contact"] <= {"errors"}, "contact/ is the bottom layer: pure functions over data/"
