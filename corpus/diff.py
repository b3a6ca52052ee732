"""Data changes between two releases: per table, the IDs added, removed and changed (same ID, other values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .tables import TABLES, table_schema

__all__ = ["diff", "changelog"]


def _rows(path: Path, key: str) -> dict[str, tuple]:
    if not path.is_file():
        return {}
    table = pq.read_table(path)
    columns = table.column_names
    data = table.to_pydict()
    return {row[columns.index(key)]: row for row in zip(*(data[c] for c in columns))}


def diff(old: Path, new: Path) -> pd.DataFrame:
    """One row per changed ID: table, change (added, removed, changed), id."""
    rows = []
    for table in TABLES:
        key = table_schema(table)["primaryKey"][0]
        a, b = _rows(Path(old) / f"{table}.parquet", key), _rows(Path(new) / f"{table}.parquet", key)
        rows += [(table, "added", k) for k in sorted(b.keys() - a.keys())]
        rows += [(table, "removed", k) for k in sorted(a.keys() - b.keys())]
        rows += [(table, "changed", k) for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    return pd.DataFrame(rows, columns=["table", "change", "id"])


def changelog(old: Path | None, new: Path, old_version: str | None, new_version: str, max_ids: int = 50) -> str:
    """CHANGELOG.md text of the data changes from `old` to `new` (or the first release's row counts)."""
    lines = [f"# Data changes in {new_version}", ""]
    if old is None:
        lines += ["First release: every ID is new.", "", "| table | rows |", "|---|---|"]
        for table in TABLES:
            path = Path(new) / f"{table}.parquet"
            if path.is_file():
                lines.append(f"| {table} | {pq.read_metadata(path).num_rows} |")
        return "\n".join(lines) + "\n"
    changes = diff(old, new)
    lines += [f"Compared with {old_version}.", "", "| table | added | removed | changed |", "|---|---|---|---|"]
    for table in TABLES:
        part = changes[changes["table"] == table]["change"].value_counts()
        lines.append(f"| {table} | {part.get('added', 0)} | {part.get('removed', 0)} | {part.get('changed', 0)} |")
    for (table, change), group in changes.groupby(["table", "change"], sort=True):
        ids = list(group["id"])
        shown = ", ".join(f"`{i}`" for i in ids[:max_ids]) + (f" … and {len(ids) - max_ids} more" if len(ids) > max_ids else "")
        lines += ["", f"- {table}, {change}: {shown}"]
    return "\n".join(lines) + "\n"
