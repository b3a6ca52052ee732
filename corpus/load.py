"""Load a published release into pandas or Hugging Face `datasets`. Needs only pandas and pyarrow.

A table is one file (`<table>.parquet`) or, in a large release, shards (`<table>/part-00000.parquet`, …);
both are read through `pyarrow.dataset`, so `columns=` and `filters=` are applied while reading.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .config import BUNDLED_RELEASES, DEFAULT_RELEASES
from .errors import MissingExtraError, SchemaError, UnknownNameError
from .manifest import read_manifest, table_files, verify as verify_release
from .tables import arrow_schema, table_names, table_schema
from .untrusted import member

__all__ = ["load", "load_dataset", "versions", "release_dir", "find_release", "search_path", "info", "read_table",
           "table_paths", "check_schema"]

_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_PANDAS = {pa.string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
           pa.bool_(): pd.BooleanDtype()}


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of an X.Y.Z version."""
    return tuple(int(x) for x in version.split("."))


def versions(releases: Path | None = None) -> list[str]:
    """Versions of the releases in `releases` (default: the bundled ones), oldest first."""
    root = Path(releases) if releases else BUNDLED_RELEASES
    found = [p.name for p in root.iterdir() if p.is_dir() and _VERSION.fullmatch(p.name)] if root.is_dir() else []
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


def search_path(releases: Path | None = None) -> list[Path]:
    """Where releases are looked for, by the loader and the `corpus` command alike: the folder given, else
    the default build output (./build/releases, relative to the working directory), then the bundled ones."""
    return [Path(releases)] if releases else [DEFAULT_RELEASES, BUNDLED_RELEASES]


def find_release(version: str | None = None, releases: Path | None = None) -> Path:
    """The folder of `version` (default: the newest) in the first place of `search_path(releases)` that has
    it; UnknownNameError naming every place looked in and the versions found there."""
    places = search_path(releases)
    for place in places:
        found = versions(place)
        if found and (version is None or version in found):
            return release_dir(version, place)
    available = sorted({v for place in places for v in versions(place)}, key=version_key)
    raise UnknownNameError("version", version or "<newest>", available, where=", ".join(map(str, places)))


def load(table: str, version: str | None = None, *, releases: Path | None = None, verify: bool = False,
         columns: list[str] | None = None, filters=None) -> pd.DataFrame:
    """One table of a release as a DataFrame typed by `schema/` (string, Int64, Float64, boolean columns).

    `columns` reads only those columns; `filters` only the matching rows, as a pyarrow expression
    (`pyarrow.dataset.field("doc_id") == "..."`) or in pandas' form (`[("language", "==", "zh")]`); both
    are pushed down to the Parquet reader, which skips row groups by their statistics.
    `verify=True` first checks every file of the release against its manifest (ChecksumError on a mismatch).
    The release is looked for in `releases`, else where `corpus` looks (`search_path`: ./build/releases,
    then the bundled releases). See `schema/<table>.json` for the columns.
    """
    if table not in table_names():
        raise UnknownNameError("table", table, list(table_names()))
    folder = find_release(version, releases)
    if verify:
        verify_release(folder)
    paths = table_paths(folder, table)
    if not paths:
        present = [t for t in table_names() if table_paths(folder, t)]
        raise UnknownNameError("table", f"{table} (in release {folder.name})", present)
    return read_table(paths, table, columns=columns, filters=filters)


def check_schema(path: Path, table: str) -> None:
    """Compare the Parquet footer of `path` (cheap: no data is read) with `schema/<table>.json`.

    Raises SchemaError naming each missing column, extra column and column of another type, so a
    damaged or foreign file is never read as all-null, silently trimmed or silently cast. The one
    exception: a column the schema marks `since` a version later than the file's release is absent from
    that release by design, and reads as nulls (older releases stay loadable).
    """
    try:
        found = pq.read_schema(path)
    except (pa.ArrowException, OSError) as e:
        raise SchemaError(table, str(path), [f"not a readable Parquet file ({e})"]) from None
    expected = arrow_schema(table)
    newer = _columns_newer_than(_release_version(Path(path)), table)
    problems = [f"column {f.name!r} is missing (expected {f.type})" for f in expected
                if f.name not in found.names and f.name not in newer]
    problems += [f"column {f.name!r} is not in the schema (found {f.type})" for f in found if f.name not in expected.names]
    problems += [f"column {f.name!r} has type {found.field(f.name).type}, expected {f.type}"
                 for f in expected if f.name in found.names and not found.field(f.name).type.equals(f.type)]
    if problems:
        raise SchemaError(table, str(path), problems)



def _release_version(path: Path) -> str | None:
    """The version of the release holding the table file `path` (`<release>/<table>.parquet` or a shard
    `<release>/<table>/part-*.parquet`), from its manifest; None for a file outside a release."""
    for folder in (path.parent, path.parent.parent):
        if (folder / "manifest.json").is_file():
            return read_manifest(folder).get("version") or folder.name
    return None


def _columns_newer_than(version: str | None, table: str) -> set[str]:
    """The columns of `table` that its schema adds after `version` (field property `since`)."""
    if version is None:
        return set()
    return {f["name"] for f in table_schema(table)["fields"]
            if "since" in f and version_key(version) < version_key(f["since"])}


def table_paths(folder: Path, table: str) -> list[Path]:
    """The Parquet files of `table` in a release folder, in key order: `<table>.parquet` or `<table>/part-*.parquet`."""
    single = member(Path(folder), f"{table}.parquet", "table file")  # a link in a release is never followed
    if single.is_file():
        return [single]
    shards = member(Path(folder), table, "table folder")
    return sorted(member(Path(folder), f"{table}/{p.name}", "table shard") for p in shards.glob("part-*.parquet"))


def _dataset(paths: Path | list[Path], table: str) -> ds.Dataset:
    paths = [paths] if isinstance(paths, (str, Path)) else paths
    return ds.dataset([str(p) for p in paths], schema=arrow_schema(table), format="parquet")


def read_table(paths: Path | list[Path], table: str, columns: list[str] | None = None, filters=None) -> pd.DataFrame:
    """A Parquet file of `table`, or its shards in order, as a DataFrame typed by `schema/` (SchemaError when
    a file differs from it)."""
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        check_schema(path, table)
    unknown = [c for c in columns or () if c not in arrow_schema(table).names]
    if unknown:
        first = paths if isinstance(paths, (str, Path)) else paths[0]
        raise SchemaError(table, str(first), [f"no column {c!r}" for c in unknown],
                          advice=f"the table's columns are {', '.join(arrow_schema(table).names)}")
    first = paths if isinstance(paths, (str, Path)) else paths[0]
    names = arrow_schema(table).names
    if filters is not None and not isinstance(filters, ds.Expression):
        unknown = [c for c in _filter_columns(filters) if c not in names]
        if unknown:
            raise SchemaError(table, str(first), [f"filters name no column {c!r}" for c in unknown],
                              advice=f"the table's columns are {', '.join(names)}")
        filters = pq.filters_to_expression(filters)
    try:
        data = _dataset(paths, table).to_table(columns=columns, filter=filters)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:  # an expression naming another column or type
        raise SchemaError(table, str(first), [f"filters cannot apply ({e})"],
                          advice=f"the table's columns are {', '.join(names)}") from None
    missing = [f"required column {f.name!r} has {data.column(f.name).null_count} null value(s)"
               for f in arrow_schema(table) if not f.nullable and f.name in data.column_names
               and data.column(f.name).null_count]
    if missing:
        raise SchemaError(table, str(first), missing)
    return data.to_pandas(types_mapper=_PANDAS.get)


def _filter_columns(filters) -> list[str]:
    """The column names of filters in pandas' form: [(col, op, value), ...] or a list of such lists (OR)."""
    conditions = [c for group in filters for c in (group if isinstance(group, list) else [group])]
    return [c[0] for c in conditions if isinstance(c, (tuple, list)) and c and isinstance(c[0], str)]


def load_dataset(version: str | None = None, *, releases: Path | None = None, verify: bool = False):
    """The release as a `datasets.DatasetDict` keyed by table name.

    `verify=True` first checks every file against the release's manifest (ChecksumError on a mismatch);
    each table's columns and types are checked against `schema/` (SchemaError).
    """
    try:
        import datasets
    except ImportError:
        raise MissingExtraError("datasets", "hf", "load_dataset") from None
    folder = find_release(version, releases)
    if verify:
        verify_release(folder)
    out = {}
    for table in table_names():
        paths = table_paths(folder, table)
        if paths:
            for path in paths:
                check_schema(path, table)
            out[table] = datasets.Dataset(_dataset(paths, table).to_table())
    return datasets.DatasetDict(out)


def info(releases: Path | None = None) -> list[dict]:
    """One entry per release: version, folder, and row counts per table from its manifest."""
    result = []
    for v in versions(releases):
        folder = release_dir(v, releases)
        manifest = read_manifest(folder)
        rows = {t: sum(manifest["files"][f].get("rows") or 0 for f in table_files(manifest["files"], t))
                for t in table_names() if table_files(manifest["files"], t)}
        result.append({"version": v, "path": str(folder), "rows": rows})
    return result
