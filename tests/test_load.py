"""The loader refuses damage: a table whose columns or types differ from schema/ raises SchemaError."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpus
import corpus.tables
from corpus.errors import SchemaError
from corpus.load import check_schema


def _copy_as(seed_release, folder, version):
    """The seed release under another version (its manifest says which)."""
    shutil.copytree(seed_release, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "version": version}))
    return folder


@pytest.fixture
def release(seed_release, tmp_path):
    """A release of the package's current schema: every column is expected."""
    return _copy_as(seed_release, tmp_path / "9.0.0", "9.0.0")


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


def test_columns_added_after_a_release_read_as_nulls_there_and_are_required_after(seed_release, tmp_path):
    newer = [f["name"] for f in corpus.tables.table_schema("documents")["fields"] if f.get("since") == "0.2.0"]
    assert "genre" in newer
    old = _copy_as(seed_release, tmp_path / "old" / "0.1.0", "0.1.0")
    _rewrite(old / "documents.parquet", lambda t: t.drop_columns(newer))
    documents = corpus.load("documents", releases=old.parent)
    assert list(documents.columns) == corpus.tables.columns("documents")
    assert documents["genre"].isna().all() and documents["source_file"].notna().all()
    current = _copy_as(old, tmp_path / "current" / "0.2.0", "0.2.0")
    with pytest.raises(SchemaError, match="column 'genre' is missing"):
        corpus.load("documents", releases=current.parent)


def test_load_looks_where_the_cli_does_and_says_where(seed_release, tmp_path, monkeypatch):
    """./build/releases first, then the bundled releases; a missing version names both places."""
    from corpus.errors import UnknownNameError

    monkeypatch.chdir(tmp_path)
    _copy_as(seed_release, tmp_path / "build" / "releases" / "9.1.0", "9.1.0")
    assert corpus.load("documents", "9.1.0", columns=["doc_id"]).equals(
        corpus.load("documents", "0.1.0", releases=seed_release.parent, columns=["doc_id"]))
    bundled = corpus.versions(corpus.config.BUNDLED_RELEASES)[-1]  # whichever releases the package ships
    assert len(corpus.load("documents", bundled, columns=["doc_id"]))  # bundled, found after ./build/releases
    with pytest.raises(UnknownNameError) as e:
        corpus.load("documents", "9.9.9")
    assert "build/releases" in str(e.value) and str(corpus.config.BUNDLED_RELEASES) in str(e.value)
    assert "9.1.0" in str(e.value) and bundled in str(e.value)


def test_a_misspelled_column_is_a_schema_error_naming_it_and_the_columns(release):
    with pytest.raises(SchemaError) as e:
        corpus.load("documents", release.name, releases=release.parent, columns=["doc_id", "titel"])
    assert "'titel'" in str(e.value) and "title" in str(e.value) and "source_file" in str(e.value)
    assert "damaged" not in str(e.value)


def _tamper(folder, name: str) -> None:
    """Change the file `name` of a release and edit its manifest entry to match, as a careful forger would."""
    from corpus.manifest import sha256_file

    path = folder / name
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name]["sha256"] = sha256_file(path)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


@pytest.mark.parametrize("name", ["documents.parquet", "baselines/composition.csv", "croissant.json"])
def test_a_file_tampered_with_and_its_manifest_edited_to_match_fails_verify(seed_release, tmp_path, name, capsys):
    from corpus.cli import main
    from corpus.errors import ChecksumError
    from corpus.manifest import digest_line, manifest_digest, read_manifest, verify

    folder = tmp_path / "0.1.0"
    shutil.copytree(seed_release, folder)
    line = digest_line("0.1.0", manifest_digest(read_manifest(folder)))
    assert line in (folder / "README.md").read_text() and line in (folder / "CHANGELOG.md").read_text()
    verify(folder)
    _tamper(folder, name if (folder / name).is_file() else "documents.parquet")
    with pytest.raises(ChecksumError) as caught:
        verify(folder)
    assert {m[0] for m in caught.value.mismatches} == {"manifest.json (recorded in README.md)",
                                                       "manifest.json (recorded in CHANGELOG.md)"}
    with pytest.raises(ChecksumError):
        corpus.load("documents", "0.1.0", releases=tmp_path, verify=True)
    assert main(["verify", str(folder)]) == 1
    assert "manifest.json (recorded in README.md): expected sha256" in capsys.readouterr().err


def test_a_later_release_records_the_manifest_of_the_one_before(seed_release, tmp_path):
    from corpus.errors import ChecksumError
    from corpus.manifest import digest_line, manifest_digest, read_manifest, sha256_file, verify

    folder = tmp_path / "0.1.0"
    shutil.copytree(seed_release, folder)
    (tmp_path / "0.2.0").mkdir()  # what the next build writes: its changelog names this manifest's digest
    (tmp_path / "0.2.0" / "CHANGELOG.md").write_text(digest_line("0.1.0", manifest_digest(read_manifest(folder))))
    _tamper(folder, "documents.parquet")
    for name in ("README.md", "CHANGELOG.md"):  # the forger edits this release's own records too
        text = (folder / name).read_text()
        (folder / name).write_text(text.replace(manifest_digest(json.loads(
            (seed_release / "manifest.json").read_text())), manifest_digest(read_manifest(folder))))
    manifest = read_manifest(folder)
    for name in ("README.md", "CHANGELOG.md"):  # entries the digest leaves out: editing them changes nothing
        manifest["files"][name]["sha256"] = sha256_file(folder / name)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ChecksumError) as caught:
        verify(folder)
    assert [m[0] for m in caught.value.mismatches] == ["manifest.json (recorded in 0.2.0/CHANGELOG.md)"]
