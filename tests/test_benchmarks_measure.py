"""The benchmark harness's measuring: paired runs, medians, ratios of pairs, one child's figures.

No benchmark runs here: the pairing is driven by a recording runner, and `run` by tiny children.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from benchmarks.bench_import import read_every_row, skipped_unchanged
from benchmarks.bench_today import loaded_modules
from benchmarks.measure import (
    NOW,
    Contender,
    Paired,
    Run,
    RunFailed,
    Spread,
    environment,
    paired,
    run,
    run_checked,
)


def _run(seconds: float, stdout: str = "", exit_code: int = 0) -> Run:
    return Run(seconds, seconds / 2, 50.0, exit_code, stdout, "")


class Recorder:
    """A runner that notes the order of runs and times each run of a contender from a list."""

    def __init__(self, times: dict[str, list[float]], fail_at: int | None = None) -> None:
        self.times = {name: iter(values) for name, values in times.items()}
        self.order: list[str] = []
        self.fail_at = fail_at

    def __call__(self, contender: Contender) -> Run:
        self.order.append(contender.name)
        if self.fail_at is not None and len(self.order) == self.fail_at:
            raise RunFailed(contender.name, "exit 1: boom")
        return _run(next(self.times[contender.name]))


A, B, C = (Contender(name, ["true"]) for name in "ABC")


def test_one_warm_up_of_each_then_the_contenders_take_turns() -> None:
    runner = Recorder({"A": [9.0, 1, 2, 3, 4, 5], "B": [9.0, 1, 1, 1, 1, 1]})
    measured = paired([A, B], 5, runner)
    assert runner.order == ["A", "B"] + ["A", "B"] * 5
    # The warm-up (9 s) is not counted.
    assert [r.seconds for r in measured.runs["A"]] == [1, 2, 3, 4, 5]
    assert measured.rounds == 5


def test_more_contenders_run_in_the_same_order_every_round() -> None:
    runner = Recorder({name: [1.0] * 6 for name in "ABC"})
    paired([A, B, C], 5, runner)
    assert runner.order == ["A", "B", "C"] * 6


def test_the_first_failure_ends_the_comparison() -> None:
    runner = Recorder({"A": [1.0] * 6, "B": [1.0] * 6}, fail_at=4)
    with pytest.raises(RunFailed, match="B exit 1: boom"):
        paired([A, B], 5, runner)
    assert len(runner.order) == 4


def test_contenders_need_distinct_names_and_at_least_one_round() -> None:
    with pytest.raises(ValueError, match="names must differ"):
        paired([A, A], 5, Recorder({"A": [1.0] * 12}))
    with pytest.raises(ValueError, match="pairs must be 1 or more"):
        paired([A, B], 0, Recorder({}))


def test_the_ratio_is_the_median_of_the_ratios_of_pairs_not_of_the_medians() -> None:
    # A machine slowing down and speeding up: each round's two runs see the same load.
    a, b = [2.0, 3.0, 10.0], [1.0, 6.0, 4.0]
    measured = Paired(["A", "B"], {"A": [_run(s) for s in a], "B": [_run(s) for s in b]})
    assert measured.ratios("A", "B") == [2.0, 0.5, 2.5]
    assert measured.ratio("A", "B") == 2.0
    assert measured.median("A") / measured.median("B") == 0.75  # what it is not
    assert measured.per_round("A", "B", lambda x, y: x.seconds - y.seconds) == [1.0, -3.0, 6.0]
    # _run's CPU is half its wall time on both sides, so the CPU ratios are the same.
    assert measured.ratios("A", "B", "cpu_seconds") == [2.0, 0.5, 2.5]


def test_each_figure_is_reported_as_min_median_max() -> None:
    assert Spread.of([3.0, 1.0, 2.0, 10.0]) == Spread(1.0, 2.5, 10.0)
    assert Spread.of([0.5]) == Spread(0.5, 0.5, 0.5)
    with pytest.raises(ValueError):
        Spread.of([])
    measured = Paired(["A"], {"A": [_run(1.0), _run(3.0), _run(2.0)]})
    figures = measured.to_json()["A"]
    assert figures["runs"] == 3
    assert figures["seconds"] == {"min": 1.0, "median": 2.0, "max": 3.0}
    assert figures["cpu_seconds"] == {"min": 0.5, "median": 1.0, "max": 1.5}
    assert figures["peak_rss_mb"]["median"] == 50.0
    assert figures["seconds_each"] == [1.0, 3.0, 2.0]


def test_run_reports_the_childs_own_cpu_and_peak_memory_and_output() -> None:
    script = "b = bytearray(80 * 1024 * 1024); sum(range(10_000_000)); print('done')"
    busy = run([sys.executable, "-c", script])
    idle = run([sys.executable, "-c", "pass"])
    assert busy.ok and busy.stdout == "done\n" and busy.stderr == ""
    assert 80 < busy.peak_rss_mb < 120
    # Ten million additions are a tenth of a second of CPU or more on any machine.
    assert busy.cpu_seconds > idle.cpu_seconds + 0.05
    assert busy.seconds >= busy.cpu_seconds * 0.9


def test_a_small_child_of_a_big_harness_reports_its_own_small_peak() -> None:
    # Linux carries RSS across exec: started directly, the child would report this 150 MB.
    harness = bytearray(150 * 1024 * 1024)
    harness[::4096] = b"x" * len(harness[::4096])
    small = run([sys.executable, "-c", "pass"])
    assert small.ok
    assert small.peak_rss_mb < 40
    assert len(harness) == 150 * 1024 * 1024


def test_a_command_that_cannot_start_is_a_failed_run() -> None:
    missing = run(["/nonexistent/leadchase", "today"])
    assert missing.exit_code == 127
    assert "cannot run /nonexistent/leadchase" in missing.complaint()


def test_a_failed_or_wrong_run_is_a_run_failed(tmp_path: Path) -> None:
    prepared: list[str] = []
    failing = Contender(
        "fails",
        [sys.executable, "-c", "import sys; sys.exit('no such file: x.csv')"],
        prepare=lambda: prepared.append("yes"),
    )
    with pytest.raises(RunFailed, match=r"fails exit 1: no such file: x\.csv"):
        run_checked(failing)
    assert prepared == ["yes"]
    wrong = Contender(
        "counts",
        [sys.executable, "-c", "print(3)"],
        check=lambda r: None if r.stdout.strip() == "4" else "printed " + r.stdout.strip(),
    )
    with pytest.raises(RunFailed, match="counts printed 3"):
        run_checked(wrong)


def test_environment_drops_our_settings_and_fixes_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    monkeypatch.setenv("LEADCHASE_HOME", "/somewhere")
    env = environment(LEADCHASE_HOME="/bench")
    assert "TWILIO_AUTH_TOKEN" not in env and "SMTP_PASSWORD" not in env
    assert env["LEADCHASE_HOME"] == "/bench"
    assert env["LEADCHASE_NOW"] == NOW


def test_import_checks_tell_a_read_from_a_skip() -> None:
    read = '{"imported": 90, "merged": 5, "rejected": 5, "skipped": false}'
    skipped = '{"imported": 0, "merged": 0, "rejected": 0, "skipped": true}'
    assert read_every_row(100)(_run(1.0, read)) is None
    assert read_every_row(101)(_run(1.0, read)) == "accounted for 100 of 101 rows"
    assert read_every_row(100)(_run(1.0, skipped)) == "skipped the file (it was imported before)"
    assert read_every_row(100)(_run(1.0, "Imported 100 leads")) == "printed no --json summary"
    assert skipped_unchanged(_run(1.0, skipped)) is None
    assert skipped_unchanged(_run(1.0, read)) == "read the unchanged file again"


def test_loaded_modules_reads_top_level_packages_from_importtime() -> None:
    report = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       120 |        120 |   _io",
            "import time:       900 |       2000 |     typer.core",
            "import time:      3000 |      50000 | sqlalchemy.orm.session",
            "leadchase: some other line | with a bar",
            "import time:        80 |         80 |       rich",
        ]
    )
    assert loaded_modules(report) == {"_io", "typer", "sqlalchemy", "rich"}
