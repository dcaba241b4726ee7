"""Importing one lead file: stream rows, normalise, dedupe a batch at a time, one transaction per file."""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from leadchase.files import CsvWriter, PendingFile
from leadchase.importing.headers import HeaderMap, map_headers
from leadchase.importing.merge import BatchMerger, RowOutcome
from leadchase.importing.reader import RawRow, open_regular, open_rows, sniff
from leadchase.importing.records import Record, Reject, RowNormaliser
from leadchase.store import imports as store

BATCH_ROWS = 2_000
# Young-generation collections while rows stream through: a row's dicts and lists are freed
# by reference counting, so a collection every 700 allocations mostly rescans the batch (at
# 100,000 the cyclic garbage that does come waits long enough to add 30 MB to the peak).
GC_YOUNG_THRESHOLD = 10_000
SAMPLE_ROWS = 3
SAMPLE_VALUES = 3  # values shown for each kind of cell an import could not use


@dataclass
class ImportResult:
    """What happened to one file. `to_json` is the stable --json document."""

    file: str
    batch: int | None
    encoding: str
    delimiter: str
    mapping: list[tuple[str, str]]
    rows: int = 0
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_reasons: Counter[str] = field(default_factory=Counter)
    email_only: int = 0
    phone_only: int = 0
    invalid_phones_kept_email: int = 0
    invalid_emails_kept_phone: int = 0
    unknown_timezone: int = 0
    on_dnc: int = 0
    unreadable_lead_dates: int = 0
    unreadable_lead_date_samples: list[str] = field(default_factory=list)
    odd_names: int = 0
    odd_name_samples: list[str] = field(default_factory=list)
    # Loan details (note rate, closing date, birthday, term) not understood: left empty.
    unreadable_details: int = 0
    unreadable_detail_samples: list[str] = field(default_factory=list)
    # A UTF-8 file with lines that are not: how they were read, how many, the first few.
    fallback_encoding: str | None = None
    fallback_lines: int = 0
    fallback_line_samples: list[int] = field(default_factory=list)
    rejects_file: str | None = None
    already_imported_batch: int | None = None
    skipped: bool = False  # the same bytes were imported before: nothing was read again
    dry_run: bool = False
    samples: list[dict[str, Any]] = field(default_factory=list)
    first_new_lead_id: int | None = None
    # Each row's outcome, in order, when ImportOptions.row_outcomes asks (a post's answer).
    outcomes: list[RowOutcome] | None = None
    rejects: _RejectsWriter | None = field(default=None, repr=False)

    def publish_rejects(self) -> None:
        """After the transaction committed: the rejects file takes its final name."""
        if self.rejects is not None:
            self.rejects.commit()

    def drop_rejects(self) -> None:
        if self.rejects is not None:
            self.rejects.discard()

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "merged": self.merged,
            "rejected": self.rejected,
            "rejected_reasons": dict(sorted(self.rejected_reasons.items())),
            "email_only": self.email_only,
            "phone_only": self.phone_only,
            "unknown_timezone": self.unknown_timezone,
            "on_dnc": self.on_dnc,
            "unreadable_lead_dates": self.unreadable_lead_dates,
            "unreadable_lead_date_samples": self.unreadable_lead_date_samples,
            "odd_names": self.odd_names,
            "odd_name_samples": self.odd_name_samples,
            "unreadable_details": self.unreadable_details,
            "unreadable_detail_samples": self.unreadable_detail_samples,
            "fallback_encoding": self.fallback_encoding,
            "fallback_lines": self.fallback_lines,
            "fallback_line_samples": self.fallback_line_samples,
            "rejects_file": self.rejects_file,
            "batch": self.batch,
            "already_imported_batch": self.already_imported_batch,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


ProgressCallback = Callable[[int, int], None]


@dataclass
class ImportOptions:
    source: str = ""
    overrides: Mapping[str, str] = field(default_factory=dict)
    rejects_path: Path | None = None
    dry_run: bool = False
    # Read a file again although the same bytes were imported before (--force).
    force: bool = False
    default_zone: str = "America/New_York"
    # Called with each batch of new leads before they are inserted (the cadence is set here).
    on_new_leads: Callable[[Connection, list[dict[str, Any]]], None] | None = None
    # A vendor's own lead id (external_id) is a dedupe key too, within its source: a vendor
    # posting the same lead again changes nothing (the listener's intake).
    vendor_ids: bool = False
    # Keep each row's outcome in ImportResult.outcomes (a file's millions of rows are not kept).
    row_outcomes: bool = False
    # A lead that gives no lead date asked when it arrived (a post, as it happens): its age,
    # and so its consent basis as a fresh inquiry, is known. A date given but unreadable is not.
    undated_arrives_now: bool = False


def rejects_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def _file_sha256(path: Path) -> str:
    with open_regular(path) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _RejectsWriter:
    """Rejected rows, streamed to a temporary file that only becomes the rejects file on success."""

    def __init__(self, target: Path, header: list[str], enabled: bool) -> None:
        self.target = target
        self.enabled = enabled
        self.count = 0
        self._file: PendingFile | None = None
        self._writer: CsvWriter | None = None
        self._header = header

    def add(self, line: int, fields: list[str], reason: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        if self._writer is None:
            self._file = PendingFile(self.target, "utf-8-sig")
            self._writer = CsvWriter(self._file.handle)
            self._writer.writerow(["line", *self._header, "reason"])
        self._writer.writerow([line, *fields, reason])

    @property
    def written(self) -> bool:
        return self._file is not None

    def commit(self) -> None:
        if self._file is not None:
            self._file.publish()
        elif self.enabled:
            # A clean import: a rejects file left by an earlier import would now mislead.
            self.target.unlink(missing_ok=True)

    def discard(self) -> None:
        if self._file is not None:
            self._file.discard()


def import_file(
    connection: Connection,
    path: Path,
    options: ImportOptions,
    now: datetime,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import one file inside the caller's transaction; the caller commits (or rolls back a dry run).

    A file whose exact bytes were imported before is not read again (its leads are all there,
    deduplicated): the result says so at once. `options.force` reads it anyway; a dry run always
    reads it, to show the mapping."""
    fmt = sniff(path)  # first: a missing file, a pipe or a PDF gets its one-line error
    sha = _file_sha256(path)
    earlier = store.earlier_batch(connection, sha)
    if earlier is not None and not options.force and not options.dry_run:
        return ImportResult(
            file=str(path),
            batch=None,
            encoding=earlier.encoding,
            delimiter=earlier.delimiter,
            mapping=[],
            dry_run=False,
            rows=earlier.rows,
            already_imported_batch=earlier.id,
            skipped=True,
        )
    with open_rows(path, fmt) as lead_file:
        result = ImportResult(
            file=str(path),
            batch=None,
            encoding=fmt.encoding,
            delimiter=fmt.delimiter,
            mapping=[],
            dry_run=options.dry_run,
            fallback_encoding=fmt.fallback,
        )
        result.already_imported_batch = earlier.id if earlier else None
        origin = RowOrigin(
            str(path), path.name, sha, path.stem, options.rejects_path or rejects_path_for(path)
        )

        def report() -> None:
            if progress:
                progress(lead_file.bytes_read, lead_file.total_bytes)

        with _fewer_collections():
            _read_rows(
                connection, lead_file.header, lead_file, origin, result, options, now, report
            )
        if progress:
            progress(lead_file.total_bytes, lead_file.total_bytes)
        result.fallback_lines = lead_file.fallback_lines.count
        result.fallback_line_samples = lead_file.fallback_lines.first
    _finish(connection, result, now)
    return result


def import_rows(
    connection: Connection,
    header: list[str],
    rows: Iterable[RawRow],
    origin: RowOrigin,
    options: ImportOptions,
    now: datetime,
) -> ImportResult:
    """Import rows that came from no file (the leads of one POST /leads) the way a file's rows
    are: the same mapping, cleaning, dedupe, rejects and cadences, inside the caller's
    transaction."""
    result = ImportResult(
        file=origin.name, batch=None, encoding="", delimiter="", mapping=[], dry_run=False
    )
    if options.row_outcomes:
        result.outcomes = []
    with _fewer_collections():
        _read_rows(connection, header, rows, origin, result, options, now, lambda: None)
    _finish(connection, result, now)
    return result


@dataclass(frozen=True)
class RowOrigin:
    """Where rows come from: the batch's name, what shows in merge events, the bytes' digest,
    the source when neither --source nor a source column names one, and the rejects file."""

    name: str
    short_name: str
    sha256: str
    default_source: str
    rejects_target: Path


def vendor_key(source: str, external_id: str) -> str:
    """The dedupe key of a vendor's own lead id: ids are only unique within one source."""
    return f"x:{source.strip().casefold()}:{external_id.strip()}"


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector out of the import's way: what was alive before it (modules, the
    settings, the cadences) is frozen out of every collection, and young collections come
    fourteen times less often. Both are put back afterwards (the daemon imports posted leads)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _read_rows(
    connection: Connection,
    header: list[str],
    rows: Iterable[RawRow],
    origin: RowOrigin,
    result: ImportResult,
    options: ImportOptions,
    now: datetime,
    report: Callable[[], None],
) -> None:
    mapping = map_headers(header, options.overrides)
    result.mapping = mapping.describe()
    source = options.source or ("" if "source" in mapping.fields else origin.default_source)
    if not options.dry_run:
        result.batch = store.start_batch(
            connection,
            {
                "file_name": origin.name,
                "file_sha256": origin.sha256,
                "source": options.source,
                "encoding": result.encoding,
                "delimiter": result.delimiter,
                "mapping": dict(mapping.describe()),
                "started_at": now,
            },
        )
    normalise = RowNormaliser(header, mapping, source, options.default_zone, now)
    rejects = _RejectsWriter(origin.rejects_target, header, not options.dry_run)
    merger = BatchMerger(connection, result, now, origin.short_name, options.on_new_leads)
    try:
        pending: list[Record] = []
        for raw in rows:
            result.rows += 1
            outcome = normalise(raw.fields)
            if isinstance(outcome, Reject):
                reason = f"{outcome.reason}: {outcome.detail}" if outcome.detail else outcome.reason
                rejects.add(raw.line, raw.fields, reason)
                result.rejected += 1
                result.rejected_reasons[outcome.reason] += 1
                if result.outcomes is not None:
                    result.outcomes.append(RowOutcome(raw.line, None, "rejected", reason))
                continue
            _count_record(result, outcome)
            if len(result.samples) < SAMPLE_ROWS:
                result.samples.append(_sample(outcome))
            outcome.values["batch_id"] = result.batch
            outcome.line = raw.line
            undated = outcome.values["lead_date"] is None and outcome.unreadable_date is None
            if options.undated_arrives_now and undated:
                outcome.values["lead_date"] = now
            external_id = outcome.values["external_id"]
            if options.vendor_ids and external_id:
                outcome.keys.append(vendor_key(outcome.values["source"], external_id))
            pending.append(outcome)
            if len(pending) >= BATCH_ROWS:
                merger.flush(pending)
                pending = []
                report()
        merger.flush(pending)
    except BaseException:
        rejects.discard()
        raise
    result.rejects = rejects
    result.rejects_file = str(rejects.target) if rejects.written else None


def _finish(connection: Connection, result: ImportResult, now: datetime) -> None:
    if result.batch is not None:
        store.finish_batch(
            connection,
            result.batch,
            {
                "finished_at": now,
                "rows": result.rows,
                "imported": result.imported,
                "merged": result.merged,
                "rejected": result.rejected,
                "rejects_file": result.rejects_file,
            },
        )


def _count_record(result: ImportResult, record: Record) -> None:
    result.email_only += record.email_only
    result.phone_only += record.phone_only
    result.invalid_phones_kept_email += record.dropped_phone
    result.invalid_emails_kept_phone += record.dropped_email
    if record.unreadable_date is not None:
        result.unreadable_lead_dates += 1
        _add_sample(result.unreadable_lead_date_samples, record.unreadable_date)
    if record.odd_name is not None:
        result.odd_names += 1
        _add_sample(result.odd_name_samples, record.odd_name)
    for label, cell in record.unreadable_details:
        result.unreadable_details += 1
        _add_sample(result.unreadable_detail_samples, f"{label}: {cell}")


def _add_sample(samples: list[str], value: str) -> None:
    if len(samples) < SAMPLE_VALUES and value not in samples:
        samples.append(value)


def _sample(record: Record) -> dict[str, Any]:
    values = record.values
    return {
        key: values[key]
        for key in ("name", "phone", "email", "state", "zip", "timezone", "source", "lead_date")
    }


__all__ = [
    "HeaderMap", "ImportOptions", "ImportResult", "RowOrigin", "RowOutcome", "import_file",
    "import_rows",
]  # fmt: skip
