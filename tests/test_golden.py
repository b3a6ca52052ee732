"""Golden files: tiny sources under tests/data/golden_<case>/sources are built, and chosen columns of the
resulting rows are compared, as JSON Lines, with tests/data/golden_<case>/expected/<table>.jsonl: what the
layers make of known inputs (entities, languages and their scores, parsed references, reused passages),
checked against files written once and reviewed, not against the code that makes them. Each test session
is a fresh process (another hash seed, another order of loading), so a detector that answers differently
from one process to the next fails here.

When a change to the pipeline changes these rows on purpose, regenerate them and review the diff:
    CORPUS_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from corpus.config import BuildConfig
from corpus.executor import build

DATA = Path(__file__).resolve().parent / "data"
CASES = sorted(p.name for p in DATA.glob("golden_*"))
# Columns that say what the pipeline made of each input; IDs appear as the source file they belong to.
COLUMNS = {
    "documents": ["source_file", "format", "status", "reject_reason", "duplicate_of", "title", "authors", "published",
                  "license", "metadata_source"],
    "paragraphs": ["source_file", "ordinal", "kind", "text"],
    "terms": ["source_file", "english", "chinese", "text"],
    "citations": ["source_file", "text", "style", "note_number"],
    "languages": ["source_file", "unit", "language", "language_score", "method"],
    "entities": ["source_file", "text", "label", "normalized", "source"],
    "references": ["source_file", "note_number", "ordinal", "authors", "title", "container", "date", "url", "doi",
                   "language", "kind"],
    "reuse": ["source_file", "char_start", "char_end", "other_doc_id", "other_char_start", "other_char_end",
              "similarity", "unit"],
}


def _rows(tables: dict[str, pd.DataFrame], table: str) -> list[str]:
    documents = tables["documents"]
    files = dict(zip(documents["doc_id"], documents["source_file"]))
    frame = tables[table].copy()
    frame["source_file"] = frame["doc_id"].map(files)
    for column in ("duplicate_of", "other_doc_id"):
        if column in frame:
            frame[column] = frame[column].map(files)
    for column in ("language_score", "similarity"):  # scores to four places: a change there is a change
        if column in frame:
            frame[column] = frame[column].astype("Float64").round(4)
    frame = frame[COLUMNS[table]].astype(object).where(frame[COLUMNS[table]].notna(), None)
    lines = [json.dumps(row, ensure_ascii=False, default=_plain) for row in frame.to_dict("records")]
    return sorted(lines)


def _plain(value):
    return float(value) if isinstance(value, float) or hasattr(value, "is_integer") else int(value)


@pytest.mark.parametrize("case", CASES)
def test_golden(case, tmp_path):
    result = build(BuildConfig(sources=DATA / case / "sources", out=tmp_path, version="1.0.0"))
    expected = DATA / case / "expected"
    for table in COLUMNS:
        path = expected / f"{table}.jsonl"
        actual = "".join(line + "\n" for line in _rows(result.tables, table))
        if os.environ.get("CORPUS_UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"{case}/{table}: regenerate on purpose, see module docstring"
