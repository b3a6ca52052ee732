"""The city baselines (city_terms, city_index, national_index) and their figure, on reports written here."""

from __future__ import annotations

import datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import baselines
from corpus.divisions import issuer_level
from corpus.tables import frame

_TERMS = ["电子政务", "互联网+", "数字政府", "公共数据", "网格化", "智慧城市", "一网通办", "城市大脑", "网络安全"]
_FILLER = "各位代表经济发展民生就业。"


def _report(doc_id: str, issuer: str, year: int, text: str) -> dict:
    level, province = issuer_level(issuer)
    return {"doc_id": doc_id, "source_file": f"{doc_id}.docx", "title": f"{year}年{issuer}政府工作报告",
            "issuer": issuer, "issuer_level": level, "province": province, "published": str(year),
            "published_date": datetime.date(year, 1, 1), "published_precision": "year", "text": text,
            "status": "built", "genre": baselines.SERIES_GENRE, "language": "zh-Hans"}


def _docs(*rows: dict) -> pd.DataFrame:
    return frame("documents", list(rows))


def test_cities_are_ranked_beside_the_national_report_of_their_year():
    docs = _docs(_report("bj", "北京市人民政府", 2024, "数字政府" * 3 + _FILLER * 10),
                 _report("wh", "武汉市人民政府", 2024, "一网通办城市大脑" + "网格化" * 4 + _FILLER * 10),
                 _report("ha", "黄山市黄山区人民政府", 2024, _FILLER * 12),
                 _report("n24", "国务院", 2024, "数字政府" + _FILLER * 20),
                 _report("n23", "国务院", 2023, "电子政务" * 2 + _FILLER * 20))
    out = baselines.compute({"documents": docs})
    index = out["city_index"]
    assert list(index["city"]) == ["武汉市", "北京市", "黄山市黄山区"]  # 6 hits, 3 hits, none
    assert list(index["rank"]) == [1, 2, 3]
    assert list(index["administrative_level"]) == ["sub-provincial city; provincial capital", "municipality", "district"]
    assert list(index["province"]) == ["湖北省", "北京市", "安徽省"]
    national = 10_000 / len(docs.set_index("doc_id").at["n24", "text"])
    assert index["national_per_10k"].tolist() == [round(national, 4)] * 3
    wuhan = index.iloc[0]
    assert wuhan["per_10k"] == round(6 * 10_000 / wuhan["characters"], 4) and wuhan["families_named"] == 3
    assert list(out["national_index"]["year"]) == [2023, 2024]
    provinces = out["city_index_by_province"]
    assert list(provinces["province"]) == ["湖北省", "北京市", "安徽省"] and list(provinces["top_city"]) == list(index["city"])
    assert provinces["reports"].sum() == 3
    # the national series stays national: the cities' reports are not years of it
    assert set(out["term_series"]["doc_id"]) == {"n23", "n24"}
    terms = out["city_terms"].set_index("city")
    assert terms.at["北京市", "digital_government"] == round(3 * 10_000 / terms.at["北京市", "characters"], 4)
    assert terms.at["黄山市黄山区", "per_10k"] == 0
    assert set(out["term_family_definitions"]["family"]) == set(baselines.term_families()["family"])
    assert out["term_family_definitions"]["source"].notna().all()  # every family cites its defining document


def test_equal_attention_ties_share_a_rank_and_order_by_name():
    docs = _docs(_report("a", "滨州市人民政府", 2024, "网格化" + _FILLER * 5),
                 _report("b", "济宁市人民政府", 2024, "大数据" + _FILLER * 5))
    index = baselines.compute({"documents": docs})["city_index"]
    # same length, one hit each: one rank
    assert list(index["rank"]) == [1, 1] and list(index["city"]) == sorted(index["city"])
    assert index["national_per_10k"].isna().all()  # no national report of that year in these tables


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(_TERMS), st.text(alphabet=_FILLER, max_size=20)), max_size=8),
                min_size=1, max_size=6))
def test_the_index_counts_each_term_once_per_10k_and_ranks_by_it(reports):
    cities = ["滨州市", "济南市", "青岛市", "杭州市", "阿坝藏族羌族自治州", "锡林郭勒盟"]
    rows = []
    for n, pieces in enumerate(reports):
        text = "各位代表：" + "".join(term + filler for term, filler in pieces)
        issuer = cities[n] + ("行政公署" if cities[n].endswith("盟") else "人民政府")
        rows.append(_report(f"d{n}", issuer, 2024, text))
    index = baselines.compute({"documents": _docs(*rows)})["city_index"]
    family_of = {t: f.family for f in baselines.term_families().itertuples() for t in f.terms.split("|")}
    assert len(index) == len(reports)
    for row in index.itertuples():
        pieces = reports[int(row.doc_id[1:])]
        assert row.per_10k == round(len(pieces) * 10_000 / row.characters, 4)
        assert row.families_named == len({family_of[term] for term, _ in pieces})
    assert index["per_10k"].is_monotonic_decreasing
    assert (index["rank"].diff().dropna() >= 0).all() and index["rank"].iloc[0] == 1


def test_the_figure_ranks_bars_by_province_and_names_the_top_ten():
    from corpus.figures import figures

    docs = _docs(*[_report(f"c{n}", f"{city}人民政府", 2024, "数字政府" * (n + 1) + _FILLER * 10)
                   for n, city in enumerate(["滨州市", "济南市", "杭州市", "宁波市", "成都市"])])
    out = figures({"city_index": baselines.compute({"documents": docs})["city_index"]})
    png, caption = out["city_index.png"]
    assert png.startswith(b"\x89PNG")
    assert "Top ten: 成都市" in caption and "滨州市" in caption
