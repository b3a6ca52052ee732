"""Untrusted inputs: a release folder, a manifest, a sources folder or a document's text can never make a
command read, write or print outside what the user asked for, and a malformed one is one line, not a
traceback. The releases here are written by hand (a manifest and a documents table), as an attacker would."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import load
from corpus.cli import main
from corpus.corpus_toml import read_corpus_info
from corpus.errors import CorpusError, SchemaError, SourcesError
from corpus.manifest import read_manifest, verify
from corpus.pipeline.ingest import read_manifest as read_sources_toml
from corpus.tables import arrow_schema
from corpus.untrusted import member, release_holding, terminal_safe

VERSION = "1.0.0"


def _document(doc_id: str, title: str = "A title", text: str = "Some text.") -> dict:
    defaults = {pa.string(): "", pa.int64(): 0, pa.bool_(): False, pa.float64(): 0.0}
    row = {f.name: None if f.nullable else defaults[f.type] for f in arrow_schema("documents")}
    row.update(doc_id=doc_id, source_file=f"{doc_id}.txt", title=title, text=text, status="built",
               sha256="0" * 64, bytes=len(text), format="txt")
    return row


def _write_release(releases: Path, docs: list[dict], version: str = VERSION) -> Path:
    """A release folder holding documents.parquet and a manifest that matches it."""
    release = releases / version
    release.mkdir(parents=True)
    table = pa.Table.from_pylist(docs, schema=arrow_schema("documents"))
    pq.write_table(table, release / "documents.parquet")
    _write_manifest(release, {"documents.parquet": {"rows": len(docs)}}, version)
    return release


def _write_manifest(release: Path, files: dict, version: str = VERSION) -> None:
    entries = {}
    for name, entry in files.items():
        path = release / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "0" * 64
        entries[name] = {"sha256": digest, **entry}
    (release / "manifest.json").write_text(json.dumps({"version": version, "files": entries}), encoding="utf-8")


@pytest.fixture
def release(tmp_path) -> Path:
    return _write_release(tmp_path / "releases", [_document("d1"), _document("d2", "Second")])


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- manifests that point outside their release -------------------------------------------------------

@pytest.mark.parametrize("name", ["../../outside.txt", "/etc/hostname", "a/../../x", "..\\x", "C:/x", "a\x00b"])
def test_verify_refuses_a_manifest_entry_outside_the_release(release, tmp_path, capsys, name):
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = {"sha256": hashlib.sha256(b"secret").hexdigest()}
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CorpusError, match="refusing to follow"):
        verify(release)
    code, out, err = _run(capsys, "verify", release)
    assert code != 0 and "match" not in out
    assert err.count("\n") == 1 and err.startswith("error:")


def test_a_symlink_in_a_release_is_a_mismatch_and_never_read(release, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not the corpus's", encoding="utf-8")
    (release / "figures").mkdir()
    os.symlink(secret, release / "figures" / "figure.png")
    with pytest.raises(CorpusError) as caught:
        verify(release)
    assert ("figures/figure.png", "absent", "a symbolic link") in caught.value.mismatches


def test_a_listed_symlink_is_refused(release, tmp_path):
    target = tmp_path / "elsewhere.parquet"
    target.write_bytes((release / "documents.parquet").read_bytes())
    (release / "documents.parquet").unlink()
    os.symlink(target, release / "documents.parquet")
    with pytest.raises(CorpusError, match="symbolic link"):
        verify(release)
    with pytest.raises(CorpusError, match="symbolic link"):
        load("documents", VERSION, releases=release.parent)


# --- manifests of the wrong shape ---------------------------------------------------------------------

MALFORMED = {
    "a list": b"[]",
    "no files": b"{}",
    "files a list": b'{"files": []}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "utf-16": json.dumps({"files": {}}).encode("utf-16"),
    "a numeric version": b'{"version": 3, "files": {}}',
    "an entry without sha256": b'{"files": {"documents.parquet": {"rows": 2}}}',
    "a short sha256": b'{"files": {"documents.parquet": {"sha256": "abc"}}}',
    "rows not a count": b'{"files": {"documents.parquet": {"sha256": "' + b"0" * 64 + b'", "rows": "2"}}}',
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_manifest_is_one_line_from_every_command(release, capsys, kind):
    (release / "manifest.json").write_bytes(MALFORMED[kind])
    with pytest.raises(CorpusError):
        read_manifest(release)
    for argv in (["verify", release], ["info", "--releases", release.parent],
                 ["show", "d1", "--releases", release.parent, "--version", VERSION],
                 ["export", "documents", "--releases", release.parent, "--version", VERSION]):
        code, out, err = _run(capsys, *argv)
        assert code != 0, argv
        assert err.startswith("error:") and err.count("\n") == 1, (argv, err)
    with pytest.raises(CorpusError):
        load("documents", VERSION, releases=release.parent, verify=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                             lambda inner: st.lists(inner, max_size=3)
                             | st.dictionaries(st.sampled_from(["files", "version", "sha256", "rows", "documents.parquet",
                                                                "../x", "/etc/passwd"]) | st.text(max_size=6),
                                               inner, max_size=4),
                             max_leaves=12))
def test_random_manifests_verify_or_fail_cleanly(tmp_path_factory, manifest):
    release = _write_release(tmp_path_factory.mktemp("r"), [_document("d1")])
    (release / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    try:
        verify(release)
    except CorpusError:
        pass


# --- writers never write inside a release ---------------------------------------------------------------

def test_export_into_a_release_is_refused_and_the_release_kept(release, capsys):
    before = (release / "documents.parquet").read_bytes()
    for fmt, name in (("parquet", "documents.parquet"), ("csv", "entities.csv"), ("csv", "sub/new.csv")):
        code, _, err = _run(capsys, "export", "documents", "--format", fmt, "--releases", release.parent,
                            "--out", release / name)
        assert code != 0 and "inside the release" in err
    assert (release / "documents.parquet").read_bytes() == before
    verify(release)


def test_a_failed_export_leaves_the_old_file(release, tmp_path, capsys):
    target = tmp_path / "mine.csv"
    target.write_text("kept", encoding="utf-8")
    code, _, err = _run(capsys, "export", "documents", "--releases", release.parent, "--where", "nosuch=1",
                        "--out", target)
    assert code != 0 and "nosuch" in err
    assert target.read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mine.csv", "releases"])


def test_site_and_baselines_into_a_release_are_refused(release, capsys):
    files = sorted(p.name for p in release.rglob("*"))
    for argv in (["site", "--releases", release.parent, "--out", release],
                 ["site", "--releases", release.parent, "--out", release / "site"],
                 ["baselines", "--releases", release.parent, "--out", release / "baselines"],
                 ["build", "--sources", release, "--out", release / "more"]):
        code, _, err = _run(capsys, *argv)
        assert code != 0 and "inside the release" in err and err.count("\n") == 1, (argv, err)
    assert sorted(p.name for p in release.rglob("*")) == files


@pytest.mark.parametrize("doc_id", ["../escaped_by_docid", "/tmp/absolute", ".hidden", "a/b", "", "x\x00y", "é"])
def test_site_refuses_a_doc_id_that_is_no_file_name(tmp_path, capsys, doc_id):
    release = _write_release(tmp_path / "releases", [_document("fine"), _document(doc_id)])
    out = tmp_path / "site"
    code, _, err = _run(capsys, "site", "--releases", release.parent, "--out", out)
    assert code != 0 and "doc_id" in err and err.count("\n") == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releases"]


def test_site_does_not_copy_what_a_link_in_the_release_points_to(release, tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (release / "figures").mkdir()
    os.symlink(secret, release / "figures" / "stolen.txt")
    out = tmp_path / "site"
    code, _, err = _run(capsys, "site", "--releases", release.parent, "--out", out)
    assert code != 0 and "symbolic link" in err
    assert not (out / "figures" / "stolen.txt").exists()


def test_release_holding_sees_through_links(release, tmp_path):
    os.symlink(release, tmp_path / "alias")
    assert release_holding(tmp_path / "alias" / "new.csv") == release.resolve()
    assert release_holding(tmp_path / "elsewhere" / "x.csv") is None


# --- versions, dates, sources.toml ----------------------------------------------------------------------

@pytest.mark.parametrize("version", ["١.٠.٠", "１.０.０", "1.0", "1.0.0-rc1", "v1.0.0", "1.0.0\n"])
def test_versions_are_ascii_major_minor_patch(tmp_path, version):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--sources", str(tmp_path), "--out", str(tmp_path / "out"), "--version", version])
    assert caught.value.code == 2
    assert not (tmp_path / "out").exists()


def test_an_impossible_corpus_date_is_reported(tmp_path):
    (tmp_path / "corpus.toml").write_text('name = "x"\ndate = "2023-02-30"\n', encoding="utf-8")
    with pytest.raises(SourcesError, match="2023-02-30"):
        read_corpus_info(tmp_path)


@pytest.mark.parametrize("entry, expected", [('file = "a\\u0000.txt"', "NUL"), ('file = "sub"', "folder"),
                                             ('file = "."', "folder")])
def test_sources_toml_entries_naming_no_file(sources, entry, expected):
    (sources / "sub").mkdir()
    (sources / "a.txt").write_text("text", encoding="utf-8")
    (sources / "sources.toml").write_text(f'[[document]]\n{entry}\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        read_sources_toml(sources)
    assert expected in caught.value.problems[0] and "sources.toml:2:" in caught.value.problems[0]


def test_thousands_of_unknown_keys_are_one_warning(sources):
    (sources / "a.txt").write_text("text", encoding="utf-8")
    keys = "\n".join(f"k{i} = 1" for i in range(8000))
    (sources / "sources.toml").write_text(f'[[document]]\nfile = "a.txt"\n{keys}\n', encoding="utf-8")
    meta, warnings = read_sources_toml(sources)
    assert list(meta) == ["a.txt"]
    assert len(warnings) == 1 and "'k0'" in warnings[0] and "7995 more" in warnings[0]
    assert "sources.toml:3:" in warnings[0]


# --- what is printed, what is loaded --------------------------------------------------------------------

def test_show_prints_no_terminal_control(tmp_path, capsys):
    hostile = "\x1b]0;owned\x07Title\x1b[2J"
    release = _write_release(tmp_path / "releases", [_document("d1", hostile, "text \x1b[31mred\r\n\u202eevil")])
    code, out, _ = _run(capsys, "show", "d1", "--releases", release.parent)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
    assert "\\x1b]0;owned\\x07Title" in out and "\\u202eevil" in out


@given(st.text())
def test_terminal_safe_leaves_no_control_but_newline_and_tab(text):
    import unicodedata

    shown = terminal_safe(text)
    assert all(ch in "\n\t\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf") for ch in shown)


def test_a_required_column_full_of_nulls_is_a_schema_error(tmp_path):
    schema = arrow_schema("documents")
    loose = pa.schema([f.with_nullable(True) for f in schema], metadata=schema.metadata)
    release = tmp_path / "releases" / VERSION
    release.mkdir(parents=True)
    rows = [_document("d1")]
    rows[0]["doc_id"] = None
    pq.write_table(pa.Table.from_pylist(rows, schema=loose), release / "documents.parquet")
    _write_manifest(release, {"documents.parquet": {"rows": 1}})
    with pytest.raises(SchemaError, match="required column 'doc_id'"):
        load("documents", VERSION, releases=release.parent)


def test_filters_on_a_missing_column_name_the_columns(release):
    with pytest.raises(SchemaError, match="no column 'genr'.*doc_id"):
        load("documents", VERSION, releases=release.parent, filters=[("genr", "==", "law")])
    with pytest.raises(SchemaError, match="no column 'genr'"):
        load("documents", VERSION, releases=release.parent, filters=[[("genr", "==", "law")], [("doc_id", "==", "d1")]])
    assert list(load("documents", VERSION, releases=release.parent, filters=[("doc_id", "==", "d2")])["title"]) == ["Second"]


def test_member_accepts_plain_names(tmp_path):
    assert member(tmp_path, "a/b.parquet", "file") == tmp_path / "a" / "b.parquet"


# --- readers --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overlong", [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80"])
def test_an_overlong_utf8_sequence_garbles_nothing_around_it(overlong):
    from corpus.pipeline.ingest import decode_counting

    words = "Déjà vu: the café's naïve façade, 数字政府 and 网格化管理. " * 20
    raw = words.encode("utf-8") + overlong + words.encode("utf-8")
    text, encoding, problem, replaced = decode_counting(raw)
    assert problem is None and encoding.replace("_", "-").lower().startswith("utf")
    assert text == words + "\ufffd" + words
    assert replaced == len(overlong)


@pytest.mark.parametrize("front, authors", [
    ("authors: [Jane Doe, Li Wei]", "Jane Doe; Li Wei"),
    ("authors:\n  - Jane Doe\n  - Li Wei", "Jane Doe; Li Wei"),
    ("author: Jane Doe", "Jane Doe"),
    ('authors: ["Doe, Jane", "Li, Wei"]', "Doe, Jane; Li, Wei"),
    ("authors: []", None),
])
def test_front_matter_author_lists(front, authors):
    from corpus.pipeline.readers.markdown import read_markdown

    text = f"---\ntitle: A Title\n{front}\ndate: 2024-05-01\n---\n\n# A Title\n\nBody text of the article.\n"
    extracted = read_markdown(text)
    assert extracted.authors == authors
    assert extracted.published == "2024-05-01"
    assert "Jane" not in extracted.text


def test_a_text_over_max_chars_is_rejected_before_any_layer(tmp_path, capsys):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "long.txt").write_text("A sentence about grid management in one city. " * 60, encoding="utf-8")
    (sources / "short.txt").write_text("A short note on the city's data bureau and its open data portal.\n",
                                       encoding="utf-8")
    code, out, _ = _run(capsys, "build", "--sources", sources, "--out", tmp_path / "out", "--version", "1.0.0",
                        "--max-chars", "1000")
    assert code == 0 and "too_long: 1" in out
    docs = load("documents", "1.0.0", releases=tmp_path / "out")
    assert dict(zip(docs["source_file"], docs["reject_reason"].fillna(""))) == {"long.txt": "too_long", "short.txt": ""}
    assert main(["build", "--sources", str(sources), "--out", str(tmp_path / "out2"), "--max-chars", "0"]) == 2
    assert not (tmp_path / "out2").exists()
