"""Load a published release into pandas or Hugging Face `datasets`. Needs only pandas and pyarrow."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .config import BUNDLED_RELEASES
from .errors import MissingExtraError, SchemaError, UnknownNameError
from .manifest import read_manifest, verify as verify_release
from .tables import TABLES, arrow_schema

__all__ = ["load", "load_dataset", "versions", "release_dir", "info", "read_table", "check_schema"]

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_PANDAS = {pa.string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
           pa.bool_(): pd.BooleanDtype()}


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of an X.Y.Z version."""
    return tuple(int(x) for x in version.split("."))


def versions(releases: Path | None = None) -> list[str]:
    """Versions of the releases in `releases` (default: the bundled ones), oldest first."""
    root = Path(releases) if releases else BUNDLED_RELEASES
    found = [p.name for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name)] if root.is_dir() else []
    return sorted(found, key=version_key)


def release_dir(version: str | None = None, releases: Path | None = None) -> Path:
    """The folder of `version` (default: the newest)."""
    available = versions(releases)
    if version is None:
        if not available:
            raise UnknownNameError("version", "<newest>", [], where=Path(releases) if releases else BUNDLED_RELEASES)
        version = available[-1]
    if version not in available:
        raise UnknownNameError("version", version, available, where=Path(releases) if releases else BUNDLED_RELEASES)
    return (Path(releases) if releases else BUNDLED_RELEASES) / version


def load(table: str, version: str | None = None, *, releases: Path | None = None, verify: bool = False) -> pd.DataFrame:
    """One table of a release as a DataFrame typed by `schema/` (string, Int64, Float64, boolean columns).

    `verify=True` first checks every file of the release against its manifest (ChecksumError on a mismatch).
    See `schema/<table>.json` for the columns.
    """
    if table not in TABLES:
        raise UnknownNameError("table", table, list(TABLES))
    folder = release_dir(version, releases)
    if verify:
        verify_release(folder)
    path = folder / f"{table}.parquet"
    if not path.is_file():
        present = [t for t in TABLES if (folder / f"{t}.parquet").is_file()]
        raise UnknownNameError("table", f"{table} (in release {folder.name})", present)
    return read_table(path, table)


def check_schema(path: Path, table: str) -> None:
    """Compare the Parquet footer of `path` (cheap: no data is read) with `schema/<table>.json`.

    Raises SchemaError naming each missing column, extra column and column of another type, so a
    damaged or foreign file is never read as all-null, silently trimmed or silently cast.
    """
    try:
        found = pq.read_schema(path)
    except (pa.ArrowException, OSError) as e:
        raise SchemaError(table, str(path), [f"not a readable Parquet file ({e})"]) from None
    expected = arrow_schema(table)
    problems = [f"column {f.name!r} is missing (expected {f.type})" for f in expected if f.name not in found.names]
    problems += [f"column {f.name!r} is not in the schema (found {f.type})" for f in found if f.name not in expected.names]
    problems += [f"column {f.name!r} has type {found.field(f.name).type}, expected {f.type}"
                 for f in expected if f.name in found.names and not found.field(f.name).type.equals(f.type)]
    if problems:
        raise SchemaError(table, str(path), problems)


def read_table(path: Path, table: str) -> pd.DataFrame:
    """A Parquet file of `table` as a DataFrame typed by `schema/` (SchemaError when the file differs from it)."""
    check_schema(path, table)
    return pq.read_table(path, schema=arrow_schema(table)).to_pandas(types_mapper=_PANDAS.get)


def load_dataset(version: str | None = None, *, releases: Path | None = None, verify: bool = False):
    """The release as a `datasets.DatasetDict` keyed by table name.

    `verify=True` first checks every file against the release's manifest (ChecksumError on a mismatch);
    each table's columns and types are checked against `schema/` (SchemaError).
    """
    try:
        import datasets
    except ImportError:
        raise MissingExtraError("datasets", "hf", "load_dataset") from None
    folder = release_dir(version, releases)
    if verify:
        verify_release(folder)
    out = {}
    for table in TABLES:
        path = folder / f"{table}.parquet"
        if path.is_file():
            check_schema(path, table)
            out[table] = datasets.Dataset(pq.read_table(path, schema=arrow_schema(table)))
    return datasets.DatasetDict(out)


def info(releases: Path | None = None) -> list[dict]:
    """One entry per release: version, folder, and row counts per table from its manifest."""
    result = []
    for v in versions(releases):
        folder = release_dir(v, releases)
        manifest = read_manifest(folder)
        rows = {name.removesuffix(".parquet"): entry.get("rows") for name, entry in manifest["files"].items()
                if name.endswith(".parquet")}
        result.append({"version": v, "path": str(folder), "rows": rows})
    return result
