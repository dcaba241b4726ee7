"""The baseline for the import benchmark: the least work that gets a CSV into SQLite.

csv.reader + sqlite3.executemany into a fresh file, every column as TEXT, one transaction, no
cleaning and no dedupe. `leadchase import` is measured against this, whole process to whole process.

    python benchmarks/bare_import.py LEADS.csv OUT.db
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path


def bare_import(csv_path: Path, db_path: Path) -> int:
    """Insert every data row of `csv_path` into table `leads` of a new `db_path`; return the count."""
    db_path.unlink(missing_ok=True)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        marks = ", ".join("?" * len(header))
        connection = sqlite3.connect(db_path)
        try:
            with connection:
                connection.execute(f"CREATE TABLE leads ({columns})")
                connection.executemany(f"INSERT INTO leads VALUES ({marks})", reader)  # noqa: S608
            (count,) = connection.execute("SELECT count(*) FROM leads").fetchone()
        finally:
            connection.close()
    return int(count)


if __name__ == "__main__":
    print(bare_import(Path(sys.argv[1]), Path(sys.argv[2])))
