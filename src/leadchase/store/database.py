"""The Database handle commands get: an engine with the schema migrated, opened once per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from leadchase.store.engine import open_engine, sqlite_path, write_transaction
from leadchase.store.migrations import check_migrated, migrate

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
            with engine.connect() as connection:
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

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session whose commit is the caller's to make; rolled back if it raises."""
        connection = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            connection.close()

    def reader(self) -> Reader:
        """store/fast.py's queries on a connection of this engine (for a url the reader does
        not open itself); closing the reader gives the connection back."""
        from leadchase.store.fast import Reader

        raw = self.engine.raw_connection()
        postgres = self.engine.dialect.name == "postgresql"
        where = str(self.engine.url.database or self.engine.url)
        return Reader(raw.driver_connection, postgres, where, raw.close)

    def close(self) -> None:
        self.engine.dispose()
