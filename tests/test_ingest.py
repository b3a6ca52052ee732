import pytest

from corpus.errors import SourcesError
from corpus.pipeline.ingest import doc_id_for, html_text, ingest

TEXT = "Grid management 网格化管理 in Zhengzhou, “good citizen” 良民證.\n"


@pytest.mark.parametrize("codec,name", [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("gb18030", "gb18030"),
                                        ("big5", "big5"), ("cp1252", "cp1252")])
def test_ingest_decodes_each_encoding(sources, codec, name):
    text = TEXT if codec not in ("cp1252",) else "Café déjà vu — “quoted” naïve façade résumé.\n" * 3
    if codec == "big5":
        text = "網格化管理系統與良民證在鄭州引起爭議，民眾抗議。\n" * 3
    if codec == "gb18030":
        text = "网格化管理系统在郑州引起争议，民众抗议健康码。\n" * 3
    (sources / "a.txt").write_bytes(text.encode(codec))
    docs, _ = ingest(sources)
    row = docs.iloc[0]
    assert row["status"] == "built"
    assert row["encoding"].replace("_", "") .startswith(name.replace("-", "").replace("_", "")[:4]) or row["encoding"] == name
    assert row["text"].strip() == text.strip()


def test_ingest_rejects_bad_files_with_reasons(sources):
    (sources / "empty.txt").write_bytes(b"")
    (sources / "blank.txt").write_text("  \n\t\n")
    (sources / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (sources / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    docs, _ = ingest(sources)
    reasons = dict(zip(docs["source_file"], docs["reject_reason"]))
    assert reasons == {"blank.txt": "whitespace_only", "binary.txt": "binary", "empty.txt": "empty",
                       "image.png": "unsupported_format"}
    assert set(docs["status"]) == {"rejected"}


def test_html_gives_visible_text_only():
    text, title = html_text("<html><head><title>T</title><style>p{}</style></head><body><script>var x=1;</script>"
                            "<!-- hidden --><p>First &amp; para.</p><p>Second</p></body></html>")
    assert title == "T"
    assert text == "First & para.\n\nSecond"


def test_doc_id_depends_on_source_path_only():
    assert doc_id_for("a/b.txt") == doc_id_for("a/b.txt") != doc_id_for("a/c.txt")
    assert len(doc_id_for("x")) == 16


def test_malformed_sources_toml_names_file_and_line(sources):
    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.txt"\ntitle = "unclosed\n')
    with pytest.raises(SourcesError) as e:
        ingest(sources)
    assert "sources.toml:3" in str(e.value)


def test_sources_toml_reports_every_problem(sources):
    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_text(
        '[[document]]\nfile = "../escape.txt"\n\n[[document]]\nfile = "a.txt"\npublished = "June"\ncolour = "x"\n')
    with pytest.raises(SourcesError) as e:
        ingest(sources)
    problems = e.value.problems
    assert any("sources.toml:2" in p and "escapes" in p for p in problems)
    assert any("sources.toml:6" in p and "published" in p for p in problems)


def test_bad_inputs_beside_a_real_article_are_each_accounted_for(sources, tmp_path):
    from conftest import copy_seed

    from corpus.cli import main

    copy_seed(sources, "001")
    (sources / "empty.txt").write_bytes(b"")
    (sources / "blank.md").write_text("\n   \n")
    (sources / "nul.txt").write_bytes(b"abc\x00\x00def" * 100)
    (sources / "random.txt").write_bytes(bytes((i * 7919) % 256 for i in range(4096)))
    (sources / "table.xlsx").write_bytes(b"PK\x03\x04")
    (sources / "gb18030 文章 (1).txt").write_bytes("网格化管理系统在郑州引起争议，民众抗议健康码。".encode("gb18030") * 4)
    (sources / "big5.txt").write_bytes("網格化管理系統與良民證在鄭州引起爭議，民眾抗議。".encode("big5") * 4)
    (sources / "utf16.txt").write_text("UTF-16 text with a BOM about grid management.\n", encoding="utf-16")
    (sources / "cp1252.txt").write_bytes("Café governance — “naïve” résumé of the façade.\n".encode("cp1252") * 3)
    (sources / "bom.txt").write_bytes("\ufeffUTF-8 with BOM\r\nand CRLF\u200b line ends\x07.".encode("utf-8"))
    (sources / "page.html").write_text("<html><script>alert(1)</script><style>p{}</style><!-- c --><p>Visible</p></html>")
    (sources / "one-line.txt").write_bytes(b"x" * 30_000_000)
    huge = sources / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB without writing them
    (sources / "outside.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("secret")
    (sources / "loop.txt").symlink_to(sources / "loop.txt")
    (sources / "dir-link").symlink_to(sources)
    (sources / "copy.txt").symlink_to(sources / "cp1252.txt")
    out = tmp_path / "out"
    assert main(["build", "--sources", str(sources), "--out", str(out)]) == 0
    import corpus

    docs = corpus.load("documents", releases=out).set_index("source_file")
    files = {p.relative_to(sources).as_posix() for p in sources.iterdir()}
    assert set(docs.index) == files
    reasons = docs["reject_reason"].dropna().to_dict()
    assert reasons == {"empty.txt": "empty", "blank.md": "whitespace_only", "nul.txt": "binary", "random.txt": "binary",
                       "table.xlsx": "unsupported_format", "huge.txt": "too_large", "one-line.txt": "too_large",
                       "outside.txt": "symlink_outside_sources", "loop.txt": "broken_symlink",
                       "dir-link": "symlink_to_directory"}
    assert docs.loc["gb18030 文章 (1).txt", "text"].startswith("网格化管理系统")
    assert docs.loc["big5.txt", "text"].startswith("網格化管理系統")
    assert docs.loc["cp1252.txt", "text"].startswith("Café governance — “naïve”")
    assert docs.loc["utf16.txt", "encoding"].startswith("utf") and docs.loc["utf16.txt", "status"] == "built"
    assert docs.loc["bom.txt", "text"] == "UTF-8 with BOM\n\nand CRLF line ends."
    assert docs.loc["page.html", "text"] == "Visible"
    assert sorted(docs.loc[["copy.txt", "cp1252.txt"], "status"]) == ["built", "duplicate"]
    paragraphs = corpus.load("paragraphs", releases=out)
    seed = docs.loc["001_8ac20f4022f81876.txt"]
    assert seed["status"] == "built"
    assert (paragraphs["doc_id"] == seed["doc_id"]).sum() > 40


from hypothesis import given, settings, strategies as st  # noqa: E402

from corpus.pipeline.ingest import decode  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_never_raises_on_random_bytes(raw):
    text, encoding, reason = decode(raw)
    assert (text is None) == (reason is not None)
    assert text is None or isinstance(encoding, str)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_decode_round_trips_utf8(text):
    decoded, encoding, reason = decode(text.encode("utf-8"))
    assert reason is not None or decoded == text
