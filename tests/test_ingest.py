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
