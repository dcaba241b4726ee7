"""The Database handle commands get: an engine with the schema migrated, opened once per command."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from leadchase.store.engine import cannot_connect, open_engine, sqlite_path, write_transaction
from leadchase.store.migrations import check_migrated, migrate

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out

if TYPE_CHECKING:
    from leadchase.store.fast import Reader


@dataclass
class Database:
    engine: Engine
    read_only: bool = False  # a file this user cannot write: reading commands only

    @classmethod
    def open(cls, url: str) -> Database:
        engine, read_only = open_engine(url)
        try:
            try:
                opened = engine.connect()
            except OperationalError as error:
                if engine.dialect.name == "postgresql":
                    raise cannot_connect(url, error) from None
                raise
            with opened as connection:
                if read_only:
                    check_migrated(connection, str(sqlite_path(url) or url))
                else:
                    migrate(connection)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, read_only)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def reader(self) -> Reader:
        """store/fast.py's queries on a connection of this engine (for a url the reader does
        not open itself); closing the reader gives the connection back."""
        from leadchase.store.fast import Reader

        raw = self.engine.raw_connection()
        postgres = self.engine.dialect.name == "postgresql"
        where = str(self.engine.url.database or self.engine.url)
        return Reader(raw.driver_connection, postgres, where, raw.close)

    @property
    def shared(self) -> bool:
        """A database server others may use at the same time (PostgreSQL), not a file here."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def held_lock(self, name: str, wait: float) -> Iterator[bool]:
        """A lock named `name` across processes and machines (PostgreSQL only): a session
        advisory lock on a connection of its own, held for the block. Gives False when another
        session holds it for longer than `wait` seconds. A process that dies loses its
        connection, and the server lets the lock go at once."""
        key = zlib.crc32(name.encode())
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if wait <= 0:
                held = bool(
                    connection.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                    ).scalar_one()
                )
            else:
                connection.exec_driver_sql(f"SET lock_timeout = {max(1, int(wait * 1000))}")
                try:
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                    held = True
                except OperationalError as error:
                    if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                        raise
                    held = False
            try:
                yield held
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        finally:
            connection.close()

    def close(self) -> None:
        self.engine.dispose()
