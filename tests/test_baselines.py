import pandas as pd

from corpus import baselines
from corpus.cli import main
from corpus.config import BUNDLED_RELEASES


def test_baselines_reproduce_the_committed_csvs_byte_for_byte(tmp_path):
    assert main(["baselines", "--version", "0.1.0", "--releases", str(BUNDLED_RELEASES), "--out", str(tmp_path)]) == 0
    committed = BUNDLED_RELEASES / "0.1.0" / "baselines"
    names = sorted(p.name for p in committed.glob("*.csv"))
    assert names == sorted(f"{b}.csv" for b in baselines.BASELINES)
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_card_numbers_come_from_the_baselines():
    card = (BUNDLED_RELEASES / "0.1.0" / "README.md").read_text()
    composition = pd.read_csv(BUNDLED_RELEASES / "0.1.0" / "baselines" / "composition.csv")
    for row in composition.itertuples():
        assert f"| {row.doc_id} | {row.source_file} | {row.status} |" in card
    assert "![" in card and "figures/paragraphs_by_language.png" in card


def test_container_kinds():
    assert baselines.container_kind("新华社") == "chinese_state_media"
    assert baselines.container_kind("Financial Times") == "foreign_media"
    assert baselines.container_kind("The China Quarterly") == "academic"
    assert baselines.container_kind("茂名市茂南区人民政府") == "government"
    assert baselines.container_kind(None, "广东省公安厅") == "government"


def test_bm25_ranks_by_query_terms():
    paragraphs = pd.DataFrame({"paragraph_id": ["p1", "p2", "p3"],
                               "text": ["The grid management system (网格化管理系统) divides cities into grids.",
                                        "Health codes turned red in Zhengzhou.",
                                        "A system of management."]})
    ranking = baselines._bm25(paragraphs, ["grid management system", "网格化"])
    first = ranking[ranking["rank"] == 1].set_index("query")["paragraph_id"]
    assert first.to_dict() == {"grid management system": "p1", "网格化": "p1"}
    assert "p2" not in set(ranking["paragraph_id"])
