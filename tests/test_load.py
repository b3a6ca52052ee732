"""The loader refuses damage: a table whose columns or types differ from schema/ raises SchemaError."""

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpus
import corpus.tables
from corpus.errors import SchemaError
from corpus.load import check_schema


@pytest.fixture
def release(seed_release, tmp_path):
    folder = tmp_path / "0.1.0"
    shutil.copytree(seed_release, folder)
    return folder


def _rewrite(path, change):
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def test_a_table_stripped_to_its_key_is_refused(release):
    _rewrite(release / "documents.parquet", lambda t: t.select(["doc_id"]))
    with pytest.raises(SchemaError, match=r"table 'documents'.*column 'source_file' is missing") as e:
        corpus.load("documents", releases=release.parent)
    assert len(e.value.problems) == len(corpus.tables.columns("documents")) - 1
    assert all("is missing" in p for p in e.value.problems)


def test_an_extra_column_is_refused(release):
    _rewrite(release / "terms.parquet", lambda t: t.append_column("comment", pa.array(["x"] * t.num_rows)))
    with pytest.raises(SchemaError, match=r"column 'comment' is not in the schema \(found string\)"):
        corpus.load("terms", releases=release.parent)


def test_a_castable_wrong_type_is_refused_not_cast(release):
    def to_string(t):
        i = t.schema.get_field_index("char_start")
        return t.set_column(i, "char_start", t.column("char_start").cast(pa.string()))

    _rewrite(release / "paragraphs.parquet", to_string)
    with pytest.raises(SchemaError, match=r"column 'char_start' has type string, expected int64"):
        corpus.load("paragraphs", releases=release.parent)
    pytest.importorskip("datasets")
    with pytest.raises(SchemaError, match="paragraphs"):
        corpus.load_dataset(releases=release.parent)


def test_a_file_that_is_not_parquet_is_refused(release):
    (release / "spans.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(SchemaError, match="not a readable Parquet file"):
        check_schema(release / "spans.parquet", "spans")


def test_an_intact_release_loads(release):
    for table in corpus.TABLES:
        check_schema(release / f"{table}.parquet", table)
