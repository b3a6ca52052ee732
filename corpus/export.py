"""Exports for people who do not write pandas: one table of a release as CSV, JSON Lines or Parquet, with
simple `COLUMN=VALUE` filters (`corpus export`), and one document with its metadata, its annotation counts
and its text (`corpus show`).
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pandas as pd

from .errors import ConfigError, SchemaError, UnknownNameError
from .load import find_release, load, table_paths
from .tables import TABLES, arrow_schema, table_schema

__all__ = ["FORMATS", "parse_where", "export", "show"]

FORMATS = ("csv", "jsonl", "parquet")


def _typed(kind: str, column: str, value: str):
    """`value` as the schema type of `column`, so `--where published_precision=day` and `--where ordinal=3`
    compare like with like."""
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "date":
            return datetime.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--where {column}={value}: {column} is a {kind} column; {value!r} is not a {kind}") from None
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ConfigError(f"--where {column}={value}: {column} is a boolean column; give true or false")
        return value.lower() == "true"
    return value


def parse_where(table: str, conditions: list[str]) -> list[tuple[str, str, object]]:
    """`COLUMN=VALUE` conditions as pyarrow filters (all must hold); SchemaError naming an unknown column."""
    types = {f["name"]: f["type"] for f in table_schema(table)["fields"]}
    filters = []
    for condition in conditions:
        column, sep, value = condition.partition("=")
        if not sep or not column:
            raise ConfigError(f"--where {condition!r}: expected COLUMN=VALUE, e.g. genre=law")
        if column not in types:
            raise SchemaError(table, f"--where {condition}", [f"no column {column!r}"],
                              advice=f"the table's columns are {', '.join(types)}")
        filters.append((column, "==", _typed(types[column], column, value)))
    return filters


def _json_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (datetime.date, pd.Timestamp)):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def export(table: str, fmt: str, out, version: str | None = None, releases: Path | None = None,
           where: list[str] = ()) -> int:
    """Write `table` of a release (found as `corpus.load` finds it) in `fmt` to the binary stream `out`;
    returns the number of rows written. Rows keep the table's order; columns the schema's."""
    if table not in TABLES:
        raise UnknownNameError("table", table, list(TABLES))
    if fmt not in FORMATS:
        raise UnknownNameError("format", fmt, list(FORMATS))
    filters = parse_where(table, list(where)) or None
    folder = find_release(version, releases)
    frame = load(table, folder.name, releases=folder.parent, filters=filters)
    if fmt == "csv":
        text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
        out.write(text.encode("utf-8"))
    elif fmt == "jsonl":
        columns = list(frame.columns)
        for row in frame.itertuples(index=False, name=None):
            record = {c: _json_value(v) for c, v in zip(columns, row)}
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = io.BytesIO()  # Parquet needs a seekable file; stdout is not one
        schema = arrow_schema(table)
        pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), buffer)
        out.write(buffer.getvalue())
    return len(frame)


def show(document: str, version: str | None = None, releases: Path | None = None) -> str:
    """One document as text: its title, its metadata (the non-empty columns of `documents`), how many rows
    each annotation table holds for it, and its text. `document` is a doc_id or a source file name."""
    folder = find_release(version, releases)
    docs = load("documents", folder.name, releases=folder.parent)
    match = docs[(docs["doc_id"] == document) | (docs["source_file"] == document)]
    if match.empty:
        import difflib

        near = difflib.get_close_matches(document, list(docs["doc_id"]) + list(docs["source_file"]), n=3)
        raise UnknownNameError("document", document, near, where=folder)
    doc = match.iloc[0]
    lines = [doc["title"] if pd.notna(doc["title"]) else f"(untitled) {doc['source_file']}", ""]
    for column in docs.columns:
        if column != "text" and column != "title" and pd.notna(doc[column]) and str(doc[column]) != "":
            lines.append(f"{column}: {_json_value(doc[column])}")
    lines += ["", f"annotations (release {folder.name}):"]
    for table in TABLES:
        if table != "documents" and table_paths(folder, table) and "doc_id" in arrow_schema(table).names:
            rows = load(table, folder.name, releases=folder.parent, columns=["doc_id"],
                        filters=[("doc_id", "==", doc["doc_id"])])
            lines.append(f"  {table}: {len(rows)}")
    text = doc["text"] if pd.notna(doc["text"]) else ""
    lines += ["", f"text ({len(text)} characters):", "", text]
    return "\n".join(lines).rstrip("\n") + "\n"
