"""Properties of every layer on documents built from arbitrary source files (tests/strategies.py): no
exception, every span's text is documents.text[char_start:char_end], the same rows on a second run, and
the publish -> load round trip keeps every row. Examples found failing are kept in tests/.hypothesis-examples
and replayed first; the rest are new each run."""

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from strategies import corpus_files

from corpus.config import BuildConfig
from corpus.pipeline import dedup, layers, publish, run, workdir
from corpus.pipeline.guard import run_layer
from corpus.tables import table_schema

# Derandomised under CI=true (conftest's profile); elsewhere failing examples are kept in an example
# database beside the tests, which git ignores.
_PROPERTIES = settings(max_examples=5, deadline=None, print_blob=True,
                       database=None if settings.default.derandomize
                       else DirectoryBasedExampleDatabase(str(Path(__file__).parent / ".hypothesis-examples")),
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _documents(files) -> tuple[pd.DataFrame, BuildConfig]:
    """The built documents of `files` (ingest, clean, recurring blocks dropped), as a build makes them."""
    from corpus.pipeline import clean

    with tempfile.TemporaryDirectory() as folder:
        for i, (suffix, text) in enumerate(files):
            (Path(folder) / f"{i:03d}{suffix}").write_text(text, encoding="utf-8")
        config = BuildConfig(sources=Path(folder), version="1.0.0")
        failures = []
        documents, _ = run.prepare(config, None, failures=failures)
        assert failures == []
        return clean.drop_recurring(documents), config


def _annotate(documents, config, names):
    tables, failures = {"documents": documents}, []
    for unit in layers.LAYERS:
        if unit.name in names:
            tables.update(run_layer(unit, tables, config, failures))
    assert [f.line() for f in failures] == []  # the guard caught nothing: no layer raised
    return tables


def _offsets_hold(tables):
    texts = dict(zip(tables["documents"]["doc_id"], tables["documents"]["text"]))
    for name, df in tables.items():
        if name != "documents" and {"char_start", "char_end", "text"} <= set(df.columns):
            for doc_id, start, end, text in zip(df["doc_id"], df["char_start"], df["char_end"], df["text"]):
                assert texts[doc_id][start:end] == text, (name, doc_id, start, end, text)


def _same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name].reset_index(drop=True), b[name].reset_index(drop=True), obj=name)


_MOST = ("segment", "language", "terms", "entities")


@_PROPERTIES
@given(corpus_files())
def test_segment_language_terms_entities(files):
    documents, config = _documents(files)
    first = _annotate(documents, config, _MOST)
    _offsets_hold(first)
    _same(first, _annotate(documents, config, _MOST))


@_PROPERTIES
@given(corpus_files())
def test_citations(files):
    documents, config = _documents(files)
    first = _annotate(documents, config, ("segment", "citations"))
    _offsets_hold(first)
    _same(first, _annotate(documents, config, ("segment", "citations")))


@_PROPERTIES
@given(corpus_files(min_size=2, max_size=4))
def test_dedup(files):
    documents, config = _documents(files)
    features = dedup.document_features(documents, config.dedup)
    ids = list(features["doc_id"])
    found, duplicates = dedup.dedup(documents, config.dedup, features)
    again = dedup.dedup(documents, config.dedup)
    _same({"documents": found, "duplicates": duplicates}, {"documents": again[0], "duplicates": again[1]})
    assert set(duplicates["doc_id"]) <= set(ids) and set(duplicates["canonical_doc_id"]) <= set(ids)
    copies = found[found["status"] == "duplicate"]
    assert set(copies["duplicate_of"]) <= set(duplicates["canonical_doc_id"])


@_PROPERTIES
@given(corpus_files())
def test_publish_load_round_trip(files):
    from corpus.load import read_table

    documents, config = _documents(files)
    tables = _annotate(documents, config, ("segment", "language", "terms"))
    with tempfile.TemporaryDirectory() as folder:
        work, release = Path(folder) / "work", Path(folder) / "release"
        release.mkdir()
        staged = workdir.Staged(work, tuple(tables), 1, workdir.write_pieces(work, "p00000", tables, 1),
                                BuildConfig.shard_bytes)
        for name, df in tables.items():
            _, paths = publish._write_shards(release, name, staged)
            loaded = read_table(paths, name)
            key = table_schema(name)["primaryKey"]
            assert pa.Table.from_pandas(loaded, preserve_index=False).to_pylist() == \
                workdir._table(name, df).to_pylist(), name
            assert list(loaded[key[0]]) == sorted(df[key[0]])
