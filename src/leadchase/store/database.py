"""The Database handle commands get: an engine with the schema migrated, opened once per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from leadchase.store.engine import make_engine, write_transaction
from leadchase.store.migrations import migrate


@dataclass
class Database:
    engine: Engine

    @classmethod
    def open(cls, url: str) -> Database:
        engine = make_engine(url)
        with engine.connect() as connection:
            migrate(connection)
        return cls(engine)

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

    def close(self) -> None:
        self.engine.dispose()
