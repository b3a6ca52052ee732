"""The table contract: reads `schema/` (Frictionless Table Schema JSON, one file per table).

`schema/` at the repository root is the single source of truth; the wheel ships it as
`corpus/schema/`. Publish casts to these schemas and the loader reads with them. Each schema names the
layer that writes its table (`layer`); the build order of the tables is the layers' (pipeline/layers.py),
which this module does not import: the loader and the configuration stand below every stage.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from .errors import UnknownNameError

__all__ = ["TABLES", "schema_dir", "table_names", "table_schema", "arrow_schema", "empty_table", "frame"]

_ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
                "date": pa.date32()}


def schema_dir() -> Path:
    """The schema folder: the installed copy, or `schema/` of a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "schema"
    return installed if installed.is_dir() else here.parent / "schema"


def table_names() -> tuple[str, ...]:
    """Every table a release can hold: one per schema file, by name."""
    return tuple(sorted(p.stem for p in schema_dir().glob("*.json")))


# Every table a release can hold, by name (a release's manifest lists its own in build order).
TABLES = table_names()


@lru_cache(maxsize=None)
def table_schema(table: str) -> dict:
    """The Table Schema descriptor of `table` (name, description, primaryKey, foreignKeys, fields)."""
    if table not in table_names():  # the schema folder as it is now: a layer added at run time has its table
        raise UnknownNameError("table", table, list(table_names()))
    return json.loads((schema_dir() / f"{table}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of `table`; required fields are non-nullable."""
    fields = []
    for f in table_schema(table)["fields"]:
        required = f.get("constraints", {}).get("required", False)
        fields.append(pa.field(f["name"], _ARROW_TYPES[f["type"]], nullable=not required,
                               metadata={"description": f["description"]}))
    return pa.schema(fields, metadata={"table": table, "description": table_schema(table)["description"]})


def columns(table: str) -> list[str]:
    return [f["name"] for f in table_schema(table)["fields"]]


def empty_table(table: str) -> pa.Table:
    return arrow_schema(table).empty_table()


# dates are datetime.date objects (None when unknown), as pyarrow gives a date32 column to pandas
_PANDAS_TYPES = {"string": object, "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": object}


def frame(table: str, rows: list[dict]):
    """A pandas DataFrame of `rows` with exactly the schema's columns, in schema order.

    Stages pass these between each other; strings are object columns (None for missing), numbers
    nullable extension types, so no column's type depends on whether a value happens to be missing.
    """
    import pandas as pd

    fields = table_schema(table)["fields"]
    cols = [f["name"] for f in fields]
    df = pd.DataFrame.from_records(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
    df = df.astype({f["name"]: _PANDAS_TYPES[f["type"]] for f in fields})
    for f in fields:
        if f["type"] in ("string", "date"):
            df[f["name"]] = df[f["name"]].astype(object).where(df[f["name"]].notna(), None)
    return df
