"""Per-document fault isolation: an exception in one document's work in any layer leaves that document
built without the layer's rows, one failures row, and every other document's rows as without it."""

import pandas as pd
import pytest
from test_executor import write_corpus

from corpus.cli import main
from corpus.config import BuildConfig
from corpus.errors import FailuresError
from corpus.executor import build
from corpus.pipeline import citations, clean, dedup, entities, language, segment, terms
from corpus.tables import TABLES

# The function whose work raises for one document, its layer, and which argument (a frame with doc_id) holds
# that document's rows (citations gets every document of the partition, to look up copies' notes).
_INJECTED = [(clean, "clean", "clean", 0), (dedup, "document_features", "dedup", 0),
             (segment, "segment", "segment", 0), (language, "language", "language", 0), (terms, "terms", "terms", 0),
             (citations, "citations", "citations", 1), (entities, "entities", "entities", 0)]
_LAYER_OF = {"segment": ("sections", "paragraphs", "sentences"), "language": ("spans",), "terms": ("terms",),
             "citations": ("citations", "references"), "entities": ("entities",), "dedup": ("duplicates",)}


class Injected(ValueError):
    pass


def _raising(fn, doc_id, arg):
    def wrapper(*args, **kwargs):
        if doc_id in set(args[arg]["doc_id"]):
            raise Injected(f"injected into {doc_id}")
        return fn(*args, **kwargs)
    return wrapper


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("isolation") / "sources", documents=9)


@pytest.fixture(scope="module")
def reference(sources, tmp_path_factory):
    return build(BuildConfig(sources=sources, out=tmp_path_factory.mktemp("reference"), version="1.0.0",
                             partition_size=4))


def _rows(result, table, doc_ids):
    df = result.tables[table]
    return df[~df["doc_id"].isin(doc_ids)].sort_values(list(df.columns[:1])).reset_index(drop=True)


def test_a_failure_in_each_layer_leaves_the_other_documents_identical(sources, reference, tmp_path, monkeypatch):
    docs = reference.tables["documents"]
    built = sorted(docs.loc[(docs["status"] == "built") & docs["duplicate_of"].isna(), "doc_id"])
    targets = dict(zip((layer for _, _, layer, _ in _INJECTED), built))
    for module, name, layer, arg in _INJECTED:
        monkeypatch.setattr(module, name, _raising(getattr(module, name), targets[layer], arg))
    result = build(BuildConfig(sources=sources, out=tmp_path, version="1.0.0", partition_size=4, max_failures=10))
    failures = result.tables["failures"]
    assert sorted(zip(failures["doc_id"], failures["layer"])) == sorted((d, layer) for layer, d in targets.items())
    assert set(failures["exception"]) == {"test_isolation.Injected"}
    assert failures["frame"].str.match(r"corpus/[\w/]+\.py:\d+ \S+$").all()  # the innermost frame in the package
    # every document is still there; the failing ones are still built, without their layer's rows
    assert list(result.tables["documents"]["doc_id"]) == list(docs["doc_id"])
    assert set(result.tables["documents"].set_index("doc_id").loc[built[:7], "status"]) == {"built"}
    for layer, doc_id in targets.items():
        for table in _LAYER_OF.get(layer, ()):
            assert doc_id not in set(result.tables[table]["doc_id"]), (layer, table)
    hit = set(targets.values())
    for table in TABLES:
        if table not in ("documents", "failures", "duplicates"):
            pd.testing.assert_frame_equal(_rows(result, table, hit), _rows(reference, table, hit))
    assert "failures: 7 document(s) (clean: 1, dedup: 1, segment: 1" in result.summary()
    card = (result.release / "README.md").read_text(encoding="utf-8")
    assert "| language | 1 |" in card and "| entities | 1 |" in card


def test_more_failures_than_allowed_stop_the_build_with_one_line(sources, tmp_path, monkeypatch, capsys):
    doc_ids = []

    def terms_raising(paragraphs):
        doc_ids.extend(sorted(set(paragraphs["doc_id"])))
        raise IndexError("list index out of range")

    monkeypatch.setattr(terms, "terms", terms_raising)
    code = main(["build", "--sources", str(sources), "--out", str(tmp_path / "b"), "--until", "terms",
                 "--max-failures", "3"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == FailuresError.exit_code and not list((tmp_path / "b").glob("[0-9]*"))
    assert err[0].startswith("error: ") and len(err) == 2 and "with --resume" in err[1]
    assert "failed, more than --max-failures 3; first: 000.md: terms: IndexError" in err[0]


def test_the_guard_blames_only_documents(monkeypatch):
    from corpus.pipeline.guard import guarded

    def attempt(part):
        if part is None or "b" in part:
            raise KeyError("b")
        return part

    failures = []
    assert guarded("toy", lambda: ["a", "b", "c"], attempt, failures) == [(["a"], ["a"]), (["c"], ["c"])]
    assert [(f.doc_id, f.exception) for f in failures] == [("b", "KeyError")]
    with pytest.raises(KeyError):  # nothing to blame: a bug outside any document's work is not hidden
        guarded("toy", lambda: [], attempt, [])


class Killed(BaseException):
    """What a kill does to a build: nothing of it may catch this."""


def test_a_killed_build_resumes_to_identical_bytes(sources, reference, tmp_path, monkeypatch, capsys):
    from test_executor import _same_release

    from corpus.errors import ResumeError

    real_terms, real_segment, calls = terms.terms, segment.segment, []

    def killed_in_second_partition(paragraphs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed()
        return real_terms(paragraphs)

    monkeypatch.setattr(terms, "terms", killed_in_second_partition)
    config = BuildConfig(sources=sources, out=tmp_path, version="1.0.0", partition_size=4)
    with pytest.raises(Killed) as killed:
        build(config)
    assert "rerun the same command with --resume" in killed.value.resume_hint
    assert not (tmp_path / "1.0.0").exists() and (tmp_path / ".work-1.0.0" / "done").is_dir()
    with pytest.raises(ResumeError, match="other sources or settings"):
        build(BuildConfig(sources=sources, out=tmp_path, version="1.0.0", partition_size=3), resume=True)
    monkeypatch.setattr(terms, "terms", real_terms)
    segmented = []
    monkeypatch.setattr(segment, "segment", lambda d: segmented.append(1) or real_segment(d))
    resumed = build(config, resume=True)
    assert len(segmented) == 2  # the first partition was finished: only the other two ran again
    _same_release(resumed.release, reference.release)
    assert not list(tmp_path.glob(".work-*"))  # removed once published
    with pytest.raises(ResumeError, match="no unfinished build"):
        build(BuildConfig(sources=sources, out=tmp_path, version="1.0.1"), resume=True)


def test_ctrl_c_says_how_to_resume(monkeypatch, tmp_path, capsys):
    import corpus.cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus.cli, "build", interrupted)
    (tmp_path / "src").mkdir()
    assert main(["build", "--sources", str(tmp_path / "src"), "--out", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err == "interrupted; rerun with --resume\n"
