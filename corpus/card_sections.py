"""The card's sections about what a release holds, computed from its tables and manifest: each table's columns
(type and description from `schema/`) with two example rows, the personal information it names, the quality
figures of the build (metadata given, inferred or missing; documents flagged, rejected, failed) and the BibTeX
entry. Every number comes from the release; the prose around them is the template's or the corpus's."""

from __future__ import annotations

import pandas as pd

from .manifest import table_files
from .metadata import Description, bibtex, hf_configs
from .tables import table_schema

__all__ = ["release_blocks"]

# An example cell longer than this is cut at a space before it (a cut through a number would state a number
# the release does not hold).
_CELL = 80
# The documents' metadata fields a researcher filters on, each counted as given, inferred or missing.
_METADATA = ("title", "authors", "publisher", "published", "url", "license")


def _md(df: pd.DataFrame, cut: bool = False) -> str:
    if df.empty:
        return "_none_\n"
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, cut) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(value, cut: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split()).replace("|", "\\|")
    if cut and len(text) > _CELL:
        cut = text.rfind(" ", 0, _CELL)
        text = text[:cut if cut > 0 else 0].rstrip() + " …"
    return text


def _rows(files: dict[str, dict], table: str) -> int:
    return sum(files[f]["rows"] for f in table_files(files, table))


def _structure(tables: dict[str, pd.DataFrame], names: list[str], files: dict[str, dict]) -> str:
    _, empty = hf_configs(names, files)
    parts = []
    for name in names:
        schema = table_schema(name)
        key = ", ".join(f"`{k}`" for k in schema["primaryKey"])
        columns = pd.DataFrame([(f"`{f['name']}`", f["type"] + ("" if f.get("constraints", {}).get("required") else ", null"),
                                 f["description"]) for f in schema["fields"]], columns=["column", "type", "description"])
        rows = _rows(files, name)
        text = [f"### `{name}`\n", f"{schema['description']} Rows: {rows}; key: {key}.\n", _md(columns)]
        frame = tables.get(name)
        if rows and frame is not None:
            shown = [f["name"] for f in schema["fields"]]
            text.append("Two example rows (the first by key; long values cut with …):\n\n"
                        + _md(frame[shown].head(2).astype(object), cut=True))
        elif name in empty:
            text.append("No rows in this release: the table is left out of the Hub's `configs` (`datasets` cannot "
                        "read a Parquet file of no rows); `corpus.load` reads it.\n")
        parts.append("\n".join(text))
    return "\n".join(parts)


def _personal(tables: dict[str, pd.DataFrame]) -> str:
    entities = tables.get("entities")
    if entities is None:
        return "_The entities layer was not built in this release: persons named are not counted._\n"
    persons = entities[entities["label"] == "PERSON"]
    return (f"The `entities` table holds {len(persons)} PERSON mentions of {persons['normalized'].nunique()} distinct "
            f"persons (by `normalized`) in {persons['doc_id'].nunique()} documents; the text of every built document "
            "is in `documents.text`. No field records contact details, identification numbers or other personal "
            "data beyond what the published texts themselves state.\n")


def _given(documents: pd.DataFrame, field: str) -> tuple[int, int, int]:
    """(given in sources.toml, inferred from the file, missing) among the documents built or kept as duplicates."""
    source = documents.get(f"{field}_source")
    known = documents[field].notna()
    if source is not None:  # where the reader records each field's provenance
        given = known & (source == "sources.toml")
    else:
        given = known & (documents["metadata_source"] == "sources.toml")
    return int(given.sum()), int((known & ~given).sum()), int((~known).sum())


def _quality(tables: dict[str, pd.DataFrame]) -> str:
    documents = tables["documents"]
    kept = documents[documents["status"] != "rejected"]
    metadata = pd.DataFrame([(f"`{f}`", *_given(kept, f)) for f in _METADATA if f in kept],
                            columns=["field", "given (sources.toml)", "inferred", "missing (null)"])
    flags = {"extraction fallback (`extraction_fallback`)": int(kept["extraction_fallback"].fillna(False).sum()),
             "bytes replaced in decoding (`replaced_bytes` > 0)": int((kept["replaced_bytes"].fillna(0) > 0).sum())}
    if "quality_flags" in kept:
        for flag, n in kept["quality_flags"].dropna().str.split().explode().value_counts().sort_index().items():
            flags[f"`quality_flags` {flag}"] = int(n)
    rejected = documents.loc[documents["status"] == "rejected", "reject_reason"].fillna("unknown").value_counts().sort_index()
    failures = tables.get("failures")
    failed = 0 if failures is None else failures["doc_id"].nunique()
    return ("Documents built or kept as duplicates, by where each metadata field came from:\n\n" + _md(metadata)
            + "\nDocuments flagged:\n\n" + _md(pd.DataFrame(list(flags.items()), columns=["flag", "documents"]))
            + "\nRejected files by reason:\n\n"
            + _md(rejected.rename_axis("reason").reset_index(name="files"))
            + f"\nDocuments a layer failed on (see Failures): {failed}.\n")


def release_blocks(desc: Description, tables: dict[str, pd.DataFrame], manifest: dict, files: dict[str, dict]) -> dict[str, str]:
    """The card blocks `structure`, `personal`, `build_quality` and `bibtex` of a release."""
    return {"structure": _structure(tables, list(manifest["tables"]), files), "personal": _personal(tables),
            "build_quality": _quality(tables), "bibtex": "```bibtex\n" + bibtex(desc) + "```\n"}
