import json

import pytest

from corpus.outlets import outlet_kind, registry
from corpus.pipeline.refparse import MODEL_DIR, find_url, iso_date, parse_reference, split_authors, tokenize


def test_chicago_book_note_without_quotes():
    w = parse_reference("Andrew Walder, Agents of Dispossession, Stanford University Press, 2019, 212.")
    assert w["authors"] == "Andrew Walder"
    assert w["title"] == "Agents of Dispossession"
    assert w["container"] == "Stanford University Press"
    assert w["date"] == "2019" and w["pages"] == "212" and w["kind"] == "source"


def test_chicago_article_note_in_quotes():
    w = parse_reference("Maria Lopez and Tom Reid, “Grid Management in Two Cities,” Governance Review 12, "
                        "no. 3 (2018): 45–67.")
    assert split_authors(w["authors"].replace("; ", ", ")) == ["Maria Lopez", "Tom Reid"]
    assert w["title"] == "Grid Management in Two Cities"
    assert w["date"] == "2018" and w["pages"] == "45-67"  # ranges joined by a hyphen


def test_news_note_date_becomes_iso_and_is_not_pages():
    w = parse_reference("Wen Lu, “Cities Expand Health Codes,” Reuters, Jan. 5, 2021, https://example.org/a.")
    assert w["date"] == "2021-01-05"
    assert w["pages"] is None
    assert w["url"] == "https://example.org/a"


def test_chinese_journal_note_with_book_title_marks():
    w = parse_reference("赵立新：《城市网格与基层秩序》，《治理研究》2015年第4期。")
    assert w["authors"] == "赵立新"
    assert w["title"] == "城市网格与基层秩序"
    assert w["container"] == "治理研究"
    assert w["date"] == "2015" and w["issue"] == "4"


def test_chinese_book_note_with_publisher_and_page():
    w = parse_reference("钱一鸣：《乡镇财政的变迁》，北京：人民出版社，2009年版，第118页。")
    assert (w["authors"], w["title"], w["container"], w["date"], w["pages"]) == (
        "钱一鸣", "乡镇财政的变迁", "人民出版社", "2009", "118")


def test_gbt7714_journal_entry():
    w = parse_reference("孙海燕, 周立. 社区治理的数字化转型[J]. 电子政务, 2020, 8(3): 12-20.")
    assert w["title"] == "社区治理的数字化转型" and w["container"] == "电子政务"
    assert w["date"] == "2020" and w["pages"] == "12-20"
    assert len(w["authors"].split("; ")) == 2


def test_italian_and_german_footnotes():
    it = parse_reference("G. Ferri, La vita dei mercanti, Venezia 1961, p. 44.")
    assert it["authors"] == "G. Ferri" and it["title"] == "La vita dei mercanti"
    assert it["date"] == "1961" and it["pages"] == "44"
    de = parse_reference("Günther Lang, „Verwaltung im Wandel“, in: Politische Studien 12 (1999), S. 33–41.")
    assert de["authors"] == "Günther Lang" and de["title"] == "Verwaltung im Wandel"
    assert de["pages"] == "33-41" and de["date"] == "1999"


@pytest.mark.parametrize("note", ["Ibid., 8.", "Id. at 12.", "Ebd., S. 4.", "Ivi, p. 9.", "同上，第5页。", "同上书，第7页。"])
def test_ibid_forms(note):
    assert parse_reference(note)["kind"] == "ibid"


@pytest.mark.parametrize("note", ["Ferri, La vita..., cit., p. 12.", "T. Bell, op. cit., p. 98.", "前引钱一鸣书，第3页。"])
def test_short_forms(note):
    assert parse_reference(note)["kind"] == "short_form"


def test_split_authors_per_person():
    assert split_authors("Shapiro, L.") == ["Shapiro, L."]
    assert split_authors("A. Smith, B. Jones and C. Wu") == ["A. Smith", "B. Jones", "C. Wu"]
    assert split_authors("王伟、李静") == ["王伟", "李静"]
    assert split_authors("Müller, Hans/Weber, Petra") == ["Müller, Hans", "Weber, Petra"]


def test_author_lead_words_and_et_al_are_no_names():
    assert split_authors("cfr. Rossi") == ["Rossi"]
    assert split_authors("See Mary Wu et al.") == ["Mary Wu"]
    assert split_authors("V. Creuze") == ["V. Creuze"]
    assert split_authors("刘明等") == ["刘明"]


def test_container_without_its_in_and_pages_without_trailing_note_words():
    note = parse_reference("Anna Rossi, “A Harbour Town,” in The Essays on Modern Ports, ed. Carl Berg "
                           "(Boston: Beacon Press, 1999), 12–30.")
    assert note["container"] == "The Essays on Modern Ports"
    assert note["pages"] == "12-30"
    assert parse_reference("A. Rossi, Il porto franco, in Studi sul commercio veneto, Roma 1990, pp. 3-9.")["container"] \
        == "Studi sul commercio veneto"
    assert parse_reference("Bianchi, Le valli, cit., p. 149, nota.")["pages"] == "149"
    assert parse_reference("Tom Lee, “Data,” IEEE Network, vol. 4, pages 29-41, 1990.")["pages"] == "29-41"


def test_iso_dates():
    assert iso_date("(2011).") == "2011"
    assert iso_date("May 19, 2022") == "2022-05-19"
    assert iso_date("2021年3月") == "2021-03"
    assert iso_date("no year") is None


def test_urls_mended_across_a_wrap_and_cut_before_a_glued_sentence():
    assert find_url("x, https://doi.org/10.1007/978-1-137- 08687-7.") == "https://doi.org/10.1007/978-1-137-08687-7"
    assert find_url("https://doi.org/10.1353/apr.2013.0004.Min Zhou") == "https://doi.org/10.1353/apr.2013.0004"
    assert find_url("张三．某书［EB/OL］．http://example.org/a.asp?ID=7．") == "http://example.org/a.asp?ID=7"


def test_tokens_keep_offsets_and_han_characters_apart():
    text = "王伟：《治理》, https://a.org/x."
    for tok, s, e in tokenize(text):
        assert text[s:e] == tok
    assert [t for t, _, _ in tokenize(text)][:3] == ["王", "伟", "："]


def test_parser_reads_pathological_notes():
    # how long it takes on notes ten times as long: benchmarks/pathological_notes.py
    for note in ("1," * 2_500, "[" * 5_000, "“" * 2_000 + "x", "https://a.org/x" + "- a" * 1_000):
        assert isinstance(parse_reference(note), dict)


def test_model_meta_names_data_licence_and_command():
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "refparse-crf" and meta["version"]
    assert any(d["licence"] == "BSD-2-Clause" for d in meta["training_data"])
    assert "train_refparse" in meta["training_command"]


def test_outlet_registry_kinds_by_name_not_substring():
    assert all(r["source"] for r in registry())
    assert outlet_kind("新华社") == "chinese_state_media"
    assert outlet_kind("Xinhua") == "chinese_state_media"
    assert outlet_kind("Christian Science Monitor") == "foreign_media"
    assert outlet_kind("China Leadership Monitor") == "academic"
    assert outlet_kind("Brookings Institution") == "think_tank"
    assert outlet_kind("北京市朝阳区人民政府") == "government"
    assert outlet_kind("俱乐部") == "unknown"
    assert outlet_kind("长按评论") == "unknown"


def test_short_form_with_cit_gives_author_and_short_title():
    w = parse_reference("Ferri, La vita dei mercanti..., cit., p. 12.")
    assert (w["kind"], w["authors"], w["title"], w["pages"]) == ("short_form", "Ferri", "La vita dei mercanti", "12")


def test_gbt7714_title_is_what_stands_before_the_type_code():
    note = parse_reference("陈立新. 2008年城市治理的变迁[M]//王伟, 李静. 地方治理论文集. 北京: 人民出版社, 2010: 12-30.")
    assert note["title"] == "2008年城市治理的变迁"
    assert note["date"] == "2010"


def test_short_form_takes_its_short_title_back_from_the_author():
    note = parse_reference("Moretti, Le galere, cit., p. 12.")
    assert (note["kind"], note["authors"], note["title"], note["pages"]) == ("short_form", "Moretti", "Le galere", "12")


def test_name_heading_an_unquoted_title_becomes_the_author():
    note = parse_reference("Carla Bruni Verdi, Il mercato del sale nel Trecento, Padova 1977.")
    assert note["authors"] == "Carla Bruni Verdi"
    assert note["title"] == "Il mercato del sale nel Trecento"


def test_container_keeps_its_first_word_after_an_unquoted_title():
    from corpus.pipeline.refparse import _give_container_its_first_word

    tokens = ["Heat", "flow", ",", "Acta", "Physica", "12"]
    labels = ["title", "title", "title", "title", "container", "volume"]
    assert _give_container_its_first_word(tokens, labels)[3] == "container"
    assert _give_container_its_first_word(["Heat", "flow", "in", "Physica"], ["title"] * 3 + ["container"])[2] == "title"
    assert parse_reference("Ugo Neri, Venezia, cit., p. 75-83 e passim.")["pages"] == "75-83"


def test_date_is_not_a_year_inside_the_title():
    note = parse_reference("Marco Neri, Il vetro muranese fino al 1514, in «Rivista veneta», XL (1956), pp. 6-11.")
    assert note["date"] == "1956"


def test_chinese_notes_title_marks_translators_and_stop_separated_entries():
    note = parse_reference("转引自王明：《全国城市基层治理委员会关于社区网格化管理的决定》，2004年3月1日发布。")
    assert note["authors"] == "王明"
    assert note["title"] == "全国城市基层治理委员会关于社区网格化管理的决定"
    note = parse_reference("史密斯、琼斯著，刘芳译：《数字政府导论》，北京：人民出版社2012年版，第35页。")
    assert note["authors"] == "史密斯; 琼斯"
    note = parse_reference("周立新．乡村治理十讲．上海：上海人民出版社，2011")
    assert (note["authors"], note["title"]) == ("周立新", "乡村治理十讲")


def test_gbt7714_title_before_the_code_without_its_volume():
    note = parse_reference("地方志汇编：第12卷[M]. 北京: 中华书局, 1985.")
    assert (note["title"], note["authors"]) == ("地方志汇编", None)
    note = parse_reference("Mary Lee. Cataloging web pages[J]. Library Review, 1993, 4(1): 3-9.")
    assert (note["title"], note["authors"]) == ("Cataloging web pages", "Mary Lee")


def test_chinese_container_from_the_second_book_title_or_after_double_slash():
    note = parse_reference("张伟. 城市洪水的成因[M]//王明, 李强. 流域灾害与对策. 北京: 科学出版社, 1999: 32-36.")
    assert (note["title"], note["container"], note["pages"]) == ("城市洪水的成因", "流域灾害与对策", "32-36")
    note = parse_reference("李明：《风险法》，刘刚主编：《风险规制研究》，法律出版社，2012年。")
    assert (note["title"], note["container"]) == ("风险法", "风险规制研究")


def test_pages_cut_by_commas_are_one_list():
    from corpus.pipeline.refparse import _last_page_list

    text = "Neri, Le galere, cit., pp. 62, 67-70"
    runs = [("author", 0, 4), ("title", 6, 15), ("pages", 23, 29), ("other", 29, 30), ("pages", 31, 36)]
    assert _last_page_list(text, runs) == "pp. 62, 67-70"
    assert _last_page_list(text, runs[:3] + [("other", 29, 31), ("pages", 31, 36)]) == "pp. 62, 67-70"
    assert _last_page_list("p. 4; p. 9", [("pages", 0, 4), ("other", 4, 5), ("pages", 6, 10)]) == "p. 9"



from hypothesis import given, settings, strategies as st  # noqa: E402

from corpus.pipeline.refparse import label_spans  # noqa: E402

# Real-looking notes of several styles; the property test cuts them at any point (a note that ends in
# `et al`, `eds`, `pp`, `cit` or `in` once wrote past the end of a list).
_REAL = [
    "Andrew Walder et al., eds., Agents of Dispossession, Stanford University Press, 2019, pp. 212-19.",
    "Maria Lopez and Tom Reid, “Grid Management,” in Governance Review 12, no. 3 (2018): 45–67, op. cit.",
    "赵立新：《城市网格与基层秩序》，载王伟主编：《治理研究》2015年第4期，第3页。",
    "孙海燕, 周立. 社区治理的数字化转型[J]. 电子政务, 2020, 8(3): 12-20. DOI:10.1000/xyz.",
    "Günther Lang, „Verwaltung im Wandel“, in: Politische Studien 12 (1999), S. 33–41, https://example.org/a.",
    "Ibid., 45; Smith, cit., p. 4 n. 2.",
]
_NOTE_ALPHABET = st.sampled_from(list("0123456789[]();:,.“”\"'《》 abcXYZ澎湃新华社等编著-–/") +
                                 ["et al", "eds", "pp", "cit", "in", "Ibid.", "op. cit.", "http://x.org/", "10.1234/"])
_NOTES = st.one_of(
    st.text(max_size=300),
    st.lists(_NOTE_ALPHABET, max_size=60).map("".join),
    st.tuples(st.sampled_from(_REAL), st.integers(0, 200)).map(lambda t: t[0][:t[1]]),
)


@settings(max_examples=200, deadline=None)
@given(_NOTES)
def test_no_reference_string_raises_and_every_field_span_lies_within_its_note(note):
    out = parse_reference(note)
    assert set(out) >= {"authors", "title", "container", "date", "pages", "kind"}
    previous = 0
    for label, start, end in label_spans(note):
        assert 0 <= previous <= start < end <= len(note)
        previous = end
    for name in ("title", "container"):
        assert out[name] is None or out[name] in note or " ".join(out[name].split()) in " ".join(note.split())


@pytest.mark.parametrize("tail", ["et al", "eds", "pp", "cit", "in", "et al.", "Ed. by"])
def test_note_ending_in_a_short_word_parses(tail):
    parse_reference(f"John Smith, The Title, {tail}")
    parse_reference(tail)
