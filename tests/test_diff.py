from corpus.cli import main
from corpus.config import BuildConfig
from corpus.diff import diff
from corpus.executor import build


def test_diff_between_two_versions_from_slightly_different_sources(tmp_path, capsys):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "d.md").write_text("# Note D\n\nThe social credit system (社会信用体系) was piloted in Rongcheng.\n")
    (sources / "a.md").write_text("# Note A\n\nThe grid management system (网格化管理系统) matters.\n")
    (sources / "b.md").write_text("# Note B\n\nHealth codes turned red in Zhengzhou.\n")
    out = tmp_path / "out"
    build(BuildConfig(sources=sources, out=out, version="1.0.0"))
    (sources / "b.md").unlink()
    (sources / "c.md").write_text("# Note C\n\nA new note about the Snow Bright Project.\n")
    (sources / "a.md").write_text("# Note A\n\nThe grid management system (网格化管理系统) matters a lot.\n")
    result = build(BuildConfig(sources=sources, out=out, version="1.1.0"))
    old, new = out / "1.0.0", out / "1.1.0"
    changes = diff(old, new)
    docs = result.tables["documents"].set_index("source_file")["doc_id"]
    by = {(t, c): set(g["id"]) for (t, c), g in changes.groupby(["table", "change"])}
    assert by[("documents", "added")] == {docs["c.md"]}
    assert len(by[("documents", "removed")]) == 1
    assert by[("documents", "changed")] == {docs["a.md"]}
    assert ("paragraphs", "changed") in by and ("paragraphs", "added") in by
    changelog = (new / "CHANGELOG.md").read_text()
    assert "Compared with 1.0.0" in changelog and docs["c.md"] in changelog
    assert main(["diff", str(old), str(new), "--markdown"]) == 0
    assert "| documents | 1 | 1 | 1 |" in capsys.readouterr().out
