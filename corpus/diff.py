"""Data changes between two releases: per table, the IDs added, removed and changed (same ID, other values);
and which files of two builds of one version differ (`release_differences`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .manifest import MANIFEST, read_manifest, sha256_file
from .tables import TABLES, table_schema

__all__ = ["diff", "changelog", "release_differences"]

# The card lists the tool versions; two builds that differ only there are the same data.
_TOOLS_BLOCK = re.compile(rb"<!-- begin:tools -->.*?<!-- end:tools -->", re.S)


def _files(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name != MANIFEST:
            found[name] = (sha256_file(path) if name != "README.md"
                           else _TOOLS_BLOCK.sub(b"", path.read_bytes()).hex())
    return found


def release_differences(a: Path, b: Path) -> dict:
    """What differs between two release folders: {"tables": [table, ...] whose Parquet bytes differ,
    "files": [other files that differ, are missing or extra], "tools": {tool: (version in a, version in b)}}.

    Tool versions are recorded in the manifest and the card's tools block, and compared on their own:
    two builds whose tables and other files are identical are the same release, whatever made them.
    """
    fa, fb = _files(a), _files(b)
    differing = sorted(n for n in fa.keys() | fb.keys() if fa.get(n) != fb.get(n))
    # A table is `name.parquet`, or shards under `name/` (`name.parquet/`): whichever way it was written.
    table_of = {n: n.split("/")[0].removesuffix(".parquet") for n in differing if n.endswith(".parquet")}
    tables = sorted({t for t in table_of.values() if t in TABLES})
    files = [n for n in differing if table_of.get(n) not in TABLES]
    ma, mb = (read_manifest(x) if (Path(x) / MANIFEST).is_file() else {} for x in (a, b))
    if ma.get("config") != mb.get("config"):
        files.append(f"{MANIFEST} (build configuration)")
    ta, tb = ma.get("tools", {}), mb.get("tools", {})
    tools = {t: (ta.get(t), tb.get(t)) for t in sorted(ta.keys() | tb.keys()) if ta.get(t) != tb.get(t)}
    return {"tables": tables, "files": files, "tools": tools}


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
