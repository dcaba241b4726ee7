"""A team's database server: `db migrate`, `db check` on PostgreSQL, and `db copy`, which moves a
workspace's SQLite data into an empty PostgreSQL database.

The copy reads every table of the source in one read transaction (a consistent snapshot, even
while a send run writes) and streams it into the target a batch at a time with the import's
bulk insert (COPY on PostgreSQL), ids kept, then checks the row count of every table on both
sides and moves each id sequence past the largest id copied.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Engine, MetaData, Table, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from leadchase.errors import DatabaseProblem, LeadchaseError
from leadchase.store.bulk import bulk_insert_tuples
from leadchase.store.engine import cannot_connect, open_engine, write_transaction
from leadchase.store.migrations import MIGRATIONS, applied, migrate

LEDGER = "schema_migrations"  # the target's own migrations fill it
# Tables whose rows the migrations themselves make (006's round-robin turn counter): the
# target's are not data of its own, and the source's replace them.
SEEDED = ("officer_turn",)
_BATCH = 5000


def shown(url: str) -> str:
    """`url` safe to print: the password, if any, masked."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class ServerHealth:
    """What `db check` found about a database server: it answers, and its migrations."""

    where: str
    version: str
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unknown


@dataclass(frozen=True)
class CopiedTable:
    name: str
    source_rows: int
    target_rows: int


def _engine(url: str) -> Engine:
    engine, _ = open_engine(url)
    return engine


def _connected(engine: Engine, url: str) -> Connection:
    try:
        return engine.connect()
    except OperationalError as error:  # refused, unknown host, no such database, bad password
        raise cannot_connect(url, error) from None


def check_server(url: str) -> ServerHealth:
    """Connect, and compare the migrations applied with the ones this leadchase knows.
    Changes nothing (a damaged table is the server's own checks' business)."""
    engine = _engine(url)
    try:
        with _connected(engine, url) as connection:
            version = str(connection.exec_driver_sql("SHOW server_version").scalar_one())
            names = set(applied(connection))
    finally:
        engine.dispose()
    known = [name for name, _ in MIGRATIONS]
    return ServerHealth(
        shown(url),
        version,
        applied=[name for name in known if name in names],
        pending=[name for name in known if name not in names],
        unknown=sorted(names - set(known)),
    )


def migrate_database(url: str) -> tuple[list[str], int]:
    """`db migrate`: apply what is pending; the names applied and how many there are in all."""
    engine = _engine(url)
    try:
        with _connected(engine, url) as connection:
            return migrate(connection), len(MIGRATIONS)
    finally:
        engine.dispose()


def copy_database(source_url: str, target_url: str) -> list[CopiedTable]:
    """Copy every table of the (migrated) source into the empty database at `target_url`."""
    if make_url(target_url).get_backend_name() != "postgresql":
        raise LeadchaseError(
            f"db copy --to takes a PostgreSQL URL (postgresql://user@host/leads), not "
            f"{shown(target_url)}; to copy a SQLite file use `leadchase db backup`"
        )
    source, target = _engine(source_url), _engine(target_url)
    try:
        with _connected(source, source_url) as reading:
            migrate(reading)
            with _connected(target, target_url) as checking:
                _refuse_data(checking, target_url)
                migrate(checking)
            with reading.begin():
                tables = _tables(reading)
                with write_transaction(target) as writing:
                    for table in tables:
                        if table.name in SEEDED:
                            writing.execute(table.delete())
                        _copy_rows(reading, writing, table)
                    copied = [_counted(reading, writing, table) for table in tables]
        wrong = [t for t in copied if t.source_rows != t.target_rows]
        if wrong:
            raise DatabaseProblem(
                "the copy does not match: "
                + ", ".join(f"{t.name} {t.source_rows} -> {t.target_rows}" for t in wrong)
            )
        return copied
    finally:
        source.dispose()
        target.dispose()


def _refuse_data(connection: Connection, url: str) -> None:
    holding = []
    for table in _tables(connection):
        if table.name in SEEDED:
            continue
        rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if rows:
            holding.append(f"{table.name}: {rows:,}")
    connection.rollback()
    if holding:
        raise LeadchaseError(
            f"{shown(url)} already holds data ({'; '.join(holding)}): db copy fills only an "
            "empty database, and nothing was copied. Create a new one (createdb) and copy "
            "into that"
        )


def _tables(connection: Connection) -> list[Table]:
    """Every table but the ledger, as its columns and primary key (indexes are not needed,
    and SQLAlchemy cannot reflect the expression index of migration 003)."""
    inspector = inspect(connection)
    meta = MetaData()
    tables = []
    for name in sorted(inspector.get_table_names()):
        if name == LEDGER:
            continue
        keys = set(inspector.get_pk_constraint(name)["constrained_columns"])
        columns = [
            Column(c["name"], c["type"], primary_key=c["name"] in keys)
            for c in inspector.get_columns(name)
        ]
        tables.append(Table(name, meta, *columns))
    return tables


def _batches(connection: Connection, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execute(select(table).order_by(*order).execution_options(yield_per=_BATCH))
    try:
        for batch in result.partitions():
            yield [tuple(row) for row in batch]
    finally:
        result.close()


def _copy_rows(reading: Connection, writing: Connection, table: Table) -> None:
    names = tuple(column.name for column in table.columns)
    for batch in _batches(reading, table):
        # Times from SQLite come back naive UTC; the target's session reads them as UTC.
        bulk_insert_tuples(writing, table, names, batch)  # and moves the id sequence on


def _counted(reading: Connection, writing: Connection, table: Table) -> CopiedTable:
    def count(connection: Connection) -> int:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    return CopiedTable(table.name, count(reading), count(writing))
