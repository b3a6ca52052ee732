from collections import Counter

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import baselines
from corpus.cli import main
from corpus.config import BUNDLED_RELEASES
from corpus.load import versions


def test_baselines_reproduce_the_committed_csvs_byte_for_byte(tmp_path):
    """The newest bundled release: its CSVs are exactly what `corpus baselines` computes from its tables."""
    newest = versions(BUNDLED_RELEASES)[-1]
    assert main(["baselines", "--version", newest, "--releases", str(BUNDLED_RELEASES), "--out", str(tmp_path)]) == 0
    committed = BUNDLED_RELEASES / newest / "baselines"
    names = sorted(p.name for p in committed.glob("*.csv"))
    assert names == sorted(p.name for p in tmp_path.glob("*.csv"))
    assert {"diffusion.csv", "collection.csv"} <= set(names)
    assert set(names) <= {f"{b}.csv" for b in baselines.BASELINES}
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_card_numbers_come_from_the_baselines():
    newest = BUNDLED_RELEASES / versions(BUNDLED_RELEASES)[-1]
    card = (newest / "README.md").read_text()
    composition = pd.read_csv(newest / "baselines" / "composition.csv")
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


def _official_documents():
    rows = [  # doc_id, title, issuer_level, province, issuer, published
        ("a", "滨州市社会治理网格化服务管理条例", "prefectural", "山东省", "滨州市人民代表大会常务委员会", "2021-08-05"),
        ("b", "上海市数据条例", "provincial", "上海市", "上海市人民代表大会常务委员会", "2021-11-25"),
        ("c", "深圳经济特区数据条例", "prefectural", "广东省", "深圳市人民代表大会常务委员会", "2021-07-06"),
        ("d", "山东省大数据发展促进条例", "provincial", "山东省", "山东省人民代表大会常务委员会", "2021-09-30"),
        ("e", "上海市社会信用条例", "provincial", "上海市", "上海市人民代表大会常务委员会", "2017-06-23"),
        ("f", "浙江省公共信用信息管理条例", "provincial", "浙江省", "浙江省人民代表大会常务委员会", "2017-09-30"),
        ("g", "政务数据共享条例", "national", None, "国务院", "2025-05-28"),
    ]
    docs = pd.DataFrame(rows, columns=["doc_id", "title", "issuer_level", "province", "issuer", "published"])
    docs["text"], docs["status"], docs["genre"], docs["language"] = "第一条 …", "built", "local regulation", "zh-Hans"
    # two data regulations whose titles name no general term of the topic: their texts do, often enough
    docs.loc[docs["doc_id"].isin(["b", "c"]), "text"] = "第一条 本条例所称公共数据……" + "公共数据" * 10
    scholarship = {"doc_id": "z", "title": "Grid Meets Web", "issuer_level": None, "province": None, "issuer": None,
                   "published": "2023-06", "text": "网格化" * 9, "status": "built", "genre": "scholarship", "language": "en"}
    return pd.concat([docs, pd.DataFrame([scholarship])], ignore_index=True)


def test_document_topics_from_title_or_repeated_terms():
    assert baselines.document_topics("滨州市社会治理网格化服务管理条例", "") == ["grid_management"]
    assert baselines.document_topics("平安建设条例", "网格化" * 5) == ["grid_management"]
    assert baselines.document_topics("平安建设条例", "网格化" * 4) == []
    assert baselines.document_topics("浙江省公共信用信息管理条例", None) == ["social_credit"]


def test_diffusion_counts_first_adoptions_cumulatively_by_level():
    docs = _official_documents()
    topics, diffusion, by_province = baselines._diffusion(docs)
    assert "z" not in set(topics["doc_id"])  # scholarship has no issuer level: not a policy adoption
    data = diffusion[diffusion["topic"] == "public_data"].set_index(["issuer_level", "year"])
    assert data.loc[("provincial", 2021), "cumulative_jurisdictions"] == 2  # 上海市 and 山东省, both in 2021
    assert data.loc[("prefectural", 2021), "cumulative_provinces"] == 1  # 深圳市 in 广东省
    assert data.loc[("national", 2025), "new_jurisdictions"] == 1
    credit = diffusion[diffusion["topic"] == "social_credit"]
    assert list(credit["cumulative_jurisdictions"]) == [2] and list(credit["year"]) == [2017]
    first = by_province[by_province["topic"] == "public_data"].set_index("province")
    assert first.loc["山东省", "first_year"] == 2021 and first.loc["山东省", "levels"] == "provincial"
    assert list(by_province["topic"].unique()) == ["grid_management", "public_data", "social_credit"]


def test_collection_counts_documents_by_genre_language_year_and_level():
    table = baselines._collection(_official_documents())
    genre = table[table["dimension"] == "genre"].set_index("value")["documents"]
    assert genre.to_dict() == {"local regulation": 7, "scholarship": 1}
    level = table[table["dimension"] == "issuer_level"].set_index("value")["documents"]
    assert level["unknown"] == 1 and level["provincial"] == 4


def test_card_tables_summarise_diffusion_per_topic():
    docs = _official_documents()
    out = {"collection": baselines._collection(docs)}
    _, out["diffusion"], out["diffusion_by_province"] = baselines._diffusion(docs)
    summary = baselines.card_tables(out)["diffusion"].set_index("topic")
    public = summary.loc["Public data (公共数据/政务数据)"]
    assert (public["first_year"], public["documents"], public["national"], public["provincial"],
            public["prefectural"], public["provinces"]) == (2021, 4, 1, 2, 1, 3)


def test_adoption_year_is_the_earliest_header_event():
    header = ("中华人民共和国居民身份证法\n\n2003年6月28日 第十届全国人民代表大会常务委员会第三次会议通过\n\n"
              "2011年10月29日 第十一届全国人民代表大会常务委员会第二十三次会议《关于修改的决定》修正\n\n第一条 为了证明身份，制定本法。")
    assert baselines.adoption_year(header, "2011-10-29") == 2003
    assert baselines.adoption_year("第一条 本法自2020年1月1日起施行。", "2021-06") == 2021
    assert baselines.adoption_year("", None) is None


def _reports(texts: dict[int, str]) -> pd.DataFrame:
    import datetime

    rows = [{"doc_id": f"r{year}", "source_file": f"{year}.txt", "title": f"{year}年政府工作报告", "issuer_level": "national", "province": None,
             "issuer": "国务院", "published": str(year), "published_date": datetime.date(year, 1, 1), "text": text,
             "status": "built", "genre": baselines.SERIES_GENRE, "language": "zh-Hans"} for year, text in texts.items()]
    return pd.DataFrame(rows)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["电子政务", "互联网+", "互联网＋", "数字政府", "公共数据", "网络\n安全"]),
                          st.text(alphabet="各位代表经济发展。", max_size=30)), max_size=12),
       st.integers(1950, 2025))
def test_term_series_counts_every_family_term_per_10k_characters(pieces, year):
    text = "各位代表：" + "".join(term + filler for term, filler in pieces)
    series = baselines.compute({"documents": _reports({year: text})})["term_series"]
    assert list(series["family"]) == list(baselines.term_families()["family"])  # every family, zeros kept
    assert (series["year"] == year).all() and (series["characters"] == len(text)).all()
    family_of = {t: f.family for f in baselines.term_families().itertuples() for t in f.terms.split("|")}
    expected = Counter(family_of[term.replace("\n", "")] for term, _ in pieces)
    got = series.set_index("family")
    for family in got.index:
        assert got.loc[family, "hits"] == expected.get(family, 0)
        assert got.loc[family, "per_10k"] == round(expected.get(family, 0) * 10_000 / len(text), 4)


def test_work_reports_are_a_series_not_adoptions():
    docs = _reports({2016: "电子政务" * 20 + "政务服务" * 20, 2022: "数字政府" * 30})
    out = baselines.compute({"documents": docs})
    assert out["diffusion"].empty and sorted(out["term_series"]["year"].unique()) == [2016, 2022]
    decades = baselines.card_tables(out)["collection_by_decade"]
    assert decades[["2010s", "2020s"]].values.tolist() == [[1, 1]]
