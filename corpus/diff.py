"""Data changes between two releases: per table, the IDs added, removed and changed (same ID, other values);
and which files of two builds of one version differ (`release_differences`).

Columnar and streaming: each table is read in record batches and reduced to its primary key and a 64-bit
hash of each row, so a diff holds two key columns, never two releases.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .manifest import MANIFEST, RECORDS_DIGEST, read_manifest, sha256_file, strip_digests
from .load import table_paths
from .tables import TABLES, table_schema

__all__ = ["diff", "changelog", "release_differences"]

# The card lists the tool versions; two builds that differ only there are the same data.
_TOOLS_BLOCK = re.compile(rb"<!-- begin:tools -->.*?<!-- end:tools -->", re.S)


def _files(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name != MANIFEST:
            if name in RECORDS_DIGEST:
                data = strip_digests(path.read_bytes())
                found[name] = hashlib.sha256(_TOOLS_BLOCK.sub(b"", data) if name == "README.md" else data).hexdigest()
            else:
                found[name] = sha256_file(path)
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

_BATCH = 65_536
# The same value reads as the same pandas type in both releases, whether or not a column has nulls.
_TYPES = {pa.string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
          pa.bool_(): pd.BooleanDtype()}


def _row_hashes(folder: Path, table: str, key: str, paths: list[Path] | None = None) -> pd.Series:
    """uint64 hash of every row of `table` (its columns' names and values), indexed by primary key;
    `paths`: the table's files, where they are not yet at their place in `folder`."""
    paths = table_paths(folder, table) if paths is None else paths
    if not paths:
        return pd.Series([], index=pd.Index([], dtype=object), dtype="uint64")
    dataset = ds.dataset([str(p) for p in paths], format="parquet")
    names = ",".join(dataset.schema.names).encode("utf-8")
    salt = int.from_bytes(hashlib.sha256(names).digest()[:8], "little")  # a renamed column changes every row
    keys, hashes = [], []
    for batch in dataset.to_batches(batch_size=_BATCH):
        frame = batch.to_pandas(types_mapper=_TYPES.get)
        keys.append(frame[key].to_numpy(dtype=object))
        hashes.append(pd.util.hash_pandas_object(frame, index=False).to_numpy() ^ salt)
    if not keys:
        return pd.Series([], index=pd.Index([], dtype=object), dtype="uint64")
    return pd.Series(np.concatenate(hashes), index=pd.Index(np.concatenate(keys)))


def diff(old: Path, new: Path, paths: dict[str, list[Path]] | None = None) -> pd.DataFrame:
    """One row per changed ID: table, change (added, removed, changed), id. `paths`: the files of `new`'s
    tables, for a release being written (see changelog)."""
    rows = []
    for table in TABLES:
        key = table_schema(table)["primaryKey"][0]
        a = _row_hashes(Path(old), table, key)
        b = _row_hashes(Path(new), table, key, None if paths is None else paths.get(table, []))
        common = a.index.intersection(b.index)
        changed = common[a.reindex(common).to_numpy() != b.reindex(common).to_numpy()]
        for change, ids in (("added", b.index.difference(a.index)), ("removed", a.index.difference(b.index)),
                            ("changed", changed)):
            rows += [(table, change, k) for k in sorted(ids)]
    return pd.DataFrame(rows, columns=["table", "change", "id"])


def _build_order(release: Path, paths: dict[str, list[Path]] | None) -> list[str]:
    """Every table, those of `release` first in its build order (the tables being written, `paths`, or its
    manifest's list), then the others by name."""
    if paths is not None:
        first = list(paths)
    else:
        listed = read_manifest(release).get("tables") if (Path(release) / MANIFEST).is_file() else None
        first = [t for t in listed if t in TABLES] if isinstance(listed, list) else []
    return list(dict.fromkeys(first + list(TABLES)))


def changelog(old: Path | None, new: Path, old_version: str | None, new_version: str, max_ids: int = 50,
              paths: dict[str, list[Path]] | None = None) -> str:
    """CHANGELOG.md text of the data changes from `old` to `new` (or the first release's row counts).

    `paths`: the files of each of `new`'s tables, for a release still being written (publish renames its
    documents table into place last, so no folder holds a documents table before it is complete)."""
    lines = [f"# Data changes in {new_version}", ""]
    order = _build_order(new, paths)
    if old is None:
        # Not "first release": an earlier one may exist where this build cannot see it (another folder, git history).
        lines += ["No earlier release of this corpus was visible to this build (in its output folder or bundled with "
                  "the package), so nothing is compared; the rows of each table:", "", "| table | rows |", "|---|---|"]
        for table in order:
            files = table_paths(Path(new), table) if paths is None else paths.get(table, [])
            if files:
                lines.append(f"| {table} | {sum(pq.read_metadata(p).num_rows for p in files)} |")
        return "\n".join(lines) + "\n"
    changes = diff(old, new, paths)
    lines += [f"Compared with {old_version}.", "", "| table | added | removed | changed |", "|---|---|---|---|"]
    for table in order:
        part = changes[changes["table"] == table]["change"].value_counts()
        lines.append(f"| {table} | {part.get('added', 0)} | {part.get('removed', 0)} | {part.get('changed', 0)} |")
    for (table, change), group in changes.groupby(["table", "change"], sort=True):
        ids = list(group["id"])
        shown = ", ".join(f"`{i}`" for i in ids[:max_ids]) + (f" … and {len(ids) - max_ids} more" if len(ids) > max_ids else "")
        lines += ["", f"- {table}, {change}: {shown}"]
    return "\n".join(lines) + "\n"
