"""What to trust in the documents table: per kind of document (format), how many titles, dates and authors
were given (sources.toml), inferred (from the file: with their source) or left null, how precise the dates
are, and how many texts carry a quality flag (mojibake, extraction fallback). The data card's quality
section; a researcher reads it before filtering on metadata.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["metadata_quality", "quality_card"]

_FIELDS = ("title", "published", "authors")


def metadata_quality(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per format of the documents not rejected: documents; for title, published and authors the
    counts given / inferred / null; dates by precision; texts flagged mojibake and extraction_fallback."""
    kept = documents[documents["status"] != "rejected"]
    rows = []
    for fmt, group in kept.groupby("format", sort=True):
        row = {"format": fmt, "documents": len(group)}
        for field in _FIELDS:
            present = group[field].notna()
            source = group.get(f"{field}_source", pd.Series(None, index=group.index, dtype=object))
            given = present & (source == "sources.toml")
            row[field] = f"{int(given.sum())} / {int((present & ~given).sum())} / {int((~present).sum())}"
        precision = group["published_precision"].value_counts()
        row["dates day/month/year"] = "/".join(str(int(precision.get(p, 0))) for p in ("day", "month", "year"))
        flags = group.get("quality_flags", pd.Series(None, index=group.index, dtype=object)).fillna("").str.split()
        for flag in ("mojibake", "extraction_fallback"):
            row[flag] = int(flags.map(lambda f, flag=flag: flag in f).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=["format", "documents", *_FIELDS, "dates day/month/year", "mojibake",
                                       "extraction_fallback"])


def _sources(documents: pd.DataFrame) -> str:
    """`field: source n, …` for the inferred values, by where they came from."""
    kept = documents[documents["status"] != "rejected"]
    parts = []
    for field in _FIELDS:
        column = f"{field}_source"
        if column not in kept:
            continue
        inferred = kept.loc[kept[field].notna() & (kept[column] != "sources.toml"), column].fillna("unknown")
        if len(inferred):
            counts = inferred.value_counts().sort_index()
            parts.append(f"{field}: " + ", ".join(f"{source} {n}" for source, n in counts.items()))
    return "; ".join(parts)


def quality_card(documents: pd.DataFrame, table) -> str:
    """The card's quality section (Markdown); `table` renders a DataFrame as a Markdown table."""
    quality = metadata_quality(documents)
    if quality.empty:
        return "No documents were built.\n"
    body = table(quality)
    sources = _sources(documents)
    return ("Per kind of document: titles, dates and authors given in `sources.toml` / inferred from the file "
            "/ null; dates by the precision their evidence has; texts flagged in `quality_flags`.\n\n" + body
            + (f"\nInferred values by source (`*_source` columns): {sources}.\n" if sources else "")
            + "\nAn inferred value is the file's own statement (JSON-LD, `<meta>`, a byline or dateline in the "
              "text, the URL, Markdown front matter, PDF document information), never a guess: where the file "
              "states nothing the value is null.\n")
