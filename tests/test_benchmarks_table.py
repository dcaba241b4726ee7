"""The table `make bench` prints: rows from paired comparisons, a MISS shown as a MISS."""

from __future__ import annotations

import io

import pytest
from benchmarks.measure import Paired, Run
from benchmarks.table import Row, compared, render
from rich.console import Console


def _paired(ours: list[float], theirs: list[float], *more: tuple[str, list[float]]) -> Paired:
    groups = {"ours": ours, "theirs": theirs, **dict(more)}
    return Paired(
        list(groups),
        {name: [Run(s, s, 40.0, 0, "", "") for s in times] for name, times in groups.items()},
    )


def _text(rows: list[Row]) -> str:
    out = io.StringIO()
    render(rows, Console(file=out, width=200, color_system=None))
    return out.getvalue()


def _row(measured: Paired, limit: float | None, under: bool = False) -> Row:
    return compared(
        measured,
        "ours",
        "theirs",
        limit,
        what="today on 100,000 leads",
        command="leadchase today",
        baseline='python -c "import typer, rich"',
        target="<= 2x",
        under=under,
    )


def test_a_ratio_over_the_limit_is_a_miss_and_is_printed_as_one() -> None:
    measured = _paired([3.0, 2.9, 3.1, 3.0, 3.2], [1.0, 1.0, 1.0, 1.0, 1.0])
    row = _row(measured, 2.0)
    assert row.status == "MISS"
    assert row.ratio == 3.0
    assert row.pair_ratios == [3.0, 2.9, 3.1, 3.0, 3.2]
    text = _text([row])
    line = next(line for line in text.splitlines() if "today on 100,000 leads" in line)
    for cell in ("leadchase today", "import typer, rich", "3.000 s", "1.000 s", "3.00x", "MISS"):
        assert cell in line
    assert "PASS" not in text
    assert "(2.900-3.200)" in text  # the range of the counted runs, under the median


def test_the_cpu_ratio_of_pairs_is_shown_under_the_wall_ratio() -> None:
    # The baseline caught two stalls on the disk: its wall time swings, its CPU time does not.
    wall = ([2.0, 2.0, 2.0, 2.0, 2.0], [1.0, 4.0, 2.0, 1.0, 5.0])
    cpu = ([1.8] * 5, [0.75] * 5)
    measured = Paired(
        ["ours", "theirs"],
        {
            name: [Run(w, c, 40.0, 0, "", "") for w, c in zip(wall[i], cpu[i], strict=True)]
            for i, name in enumerate(["ours", "theirs"])
        },
    )
    row = _row(measured, 1.0)
    assert row.ratio == 1.0 and row.status == "PASS"  # the target is on wall time
    assert row.cpu_ratio == pytest.approx(2.4)
    assert row.to_json()["cpu_pair_ratios"] == [2.4] * 5
    lines = _text([row]).splitlines()
    ratio_line = next(i for i, line in enumerate(lines) if "1.00x" in line)
    assert "CPU 2.40x" in lines[ratio_line + 1]


def test_at_the_limit_passes_unless_the_target_is_under_it() -> None:
    measured = _paired([2.0] * 5, [1.0] * 5)
    assert _row(measured, 2.0).status == "PASS"
    assert _row(measured, 2.0, under=True).status == "MISS"
    assert _row(measured, None).status == "INFO"


def test_rows_that_share_runs_show_each_contenders_figures_once() -> None:
    measured = _paired([2.0] * 5, [1.0] * 5, ("floor", [0.5] * 5))
    first = _row(measured, 2.0)
    floor = compared(
        measured,
        "ours",
        "floor",
        None,
        what="the floor",
        command="c",
        baseline="b",
        target="(information)",
    )
    assert set(first.figures) == {"ours", "theirs"} and set(floor.figures) == {"ours", "floor"}
    text = _text([first, floor])
    figures = text[text.index("figures behind the table") :]
    assert sum("ours" in line for line in figures.splitlines()) == 1
    assert "0.500 / 0.500 / 0.500" in figures


def test_error_and_not_applicable_rows_print_their_reason() -> None:
    rows = [
        Row("import", "leadchase import", "sqlite-utils", "<= 1x", "ERROR", note="init failed"),
        Row("today on 1,000,000 leads", "leadchase today", "b", "<= 2x", "N/A", note="no ws"),
    ]
    text = _text(rows)
    assert "ERROR" in text and "init failed" in text and "N/A" in text and "no ws" in text
    assert "figures behind the table" not in text


def test_outside_text_in_a_row_is_printed_as_written() -> None:
    row = Row("import", "c", "b", "t", "ERROR", note="exit 1: bad [bold]header[/bold]")
    assert "bad [bold]header[/bold]" in _text([row])


def test_a_row_refuses_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="status 'OK'"):
        Row("x", "c", "b", "t", "OK")


def test_results_json_keeps_the_ratios_of_every_pair() -> None:
    document = _row(_paired([3.0, 2.0], [1.5, 1.0]), 2.0).to_json()
    assert document["ratio"] == 2.0 and document["pair_ratios"] == [2.0, 2.0]
    assert document["figures"]["ours"]["seconds"]["median"] == 2.5
