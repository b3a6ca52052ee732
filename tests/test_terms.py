from hypothesis import given, settings, strategies as st

from corpus.pipeline.terms import find_terms, terms
from corpus.tables import frame


def pairs(text, in_note=False):
    return [(e, c, k) for _, _, e, c, k, _ in find_terms(text, in_note)]


def test_english_then_bracketed_chinese_and_quoted_glosses():
    assert pairs("the urban subdistricts (街道) and the “grid management system” (网格化管理系统) and a "
                 "“good citizen certificate” (良民證).") == [
        ("urban subdistricts", "街道", "term"), ("grid management system", "网格化管理系统", "term"),
        ("good citizen certificate", "良民證", "term")]


def test_chinese_then_bracketed_english():
    assert pairs("His system, 归本大易 (Returning to the Yijing), is a form of New Classical Learning.") == [
        ("Returning to the Yijing", "归本大易", "term")]


def test_a_note_title_in_square_brackets_is_a_title():
    found = pairs('[2] 康有为, "中华救国论" [On saving China], 上海, 1913.', in_note=True)
    assert found == [("On saving China", "中华救国论", "title")]


def test_parallel_brackets_on_both_sides_give_two_pairs():
    found = pairs("深圳大学学报（人文社会科学版）[Shenzhen University Journal (Humanities and Social Sciences "
                  "Edition)], 2014", in_note=True)
    assert ("Shenzhen University Journal", "深圳大学学报", "title") in found
    assert ("Humanities and Social Sciences Edition", "人文社会科学版", "title") in found


def test_pinyin_plus_characters_is_a_term_with_its_pinyin():
    found = find_terms("the ideal of Tianxia 天下 and the journal Dushu 读书.")
    assert [(e, c, k, p) for _, _, e, c, k, p in found] == [
        ("Tianxia", "天下", "term", "tian xia"), ("Dushu", "读书", "term", "du shu")]


def test_names_with_their_romanization_are_names_without_honorific_or_possessive():
    found = pairs("the historian Lei Yi 雷颐, Huawei’s Meng Wanzhou 孟晚舟 and Xi Jinping’s 习近平 speech, "
                  "as Professor Ai Xiaoming 艾晓明 wrote.")
    assert found == [("Lei Yi", "雷颐", "name"), ("Meng Wanzhou", "孟晚舟", "name"), ("Xi Jinping", "习近平", "name"),
                     ("Ai Xiaoming", "艾晓明", "name")]


def test_a_romanized_place_in_one_word_is_not_a_person():
    assert pairs("in Huanggang 黄冈 city") == [("Huanggang", "黄冈", "term")]


def test_lists_glossed_by_parallel_lists_give_one_pair_each():
    assert pairs("the sage kings Yao, Shun and Yu 尧、舜、禹 ruled") == [
        ("Yao", "尧", "name"), ("Shun", "舜", "name"), ("Yu", "禹", "name")]


def test_translation_then_romanization_then_characters_gives_both_glosses():
    found = pairs("the Cheng-Zhu School or Cheng-Zhu lixue 程朱理学 and the School of Mind xinxue 心学.")
    assert ("Cheng-Zhu School", "程朱理学", "term") in found and ("Cheng-Zhu lixue", "程朱理学", "term") in found
    assert ("School of Mind", "心学", "term") in found and ("xinxue", "心学", "term") in found


def test_a_quotation_holding_english_and_chinese():
    assert pairs("Confucianism became a “lost soul 游魂.” This image") == [("lost soul", "游魂", "term")]
    found = pairs("2. ‘Hiding Values and Distorting Knowledge: The Rejection of Democracy 价值隐匿与知识扭曲：留美政治学博士对民主的拒斥,” "
                  "posted to Aisixiang", in_note=True)
    assert found == [("Hiding Values and Distorting Knowledge: The Rejection of Democracy",
                      "价值隐匿与知识扭曲：留美政治学博士对民主的拒斥", "term")]


def test_literal_translations_in_brackets_and_note_markers_after_the_chinese():
    assert pairs("the charge of 屁股歪 [lit., “slanted butt,” taking sides]") == [("slanted butt", "屁股歪", "term")]
    assert pairs("because of New Youth’s 新青年[15] opposition") == [("New Youth", "新青年", "term")]
    assert pairs("under 汉武帝 [i.e., the one who began it]") == []  # an explanation, not a gloss


def test_unbracketed_capitalised_names_and_titles():
    found = pairs("the Snow Bright Project 雪亮工程, Internet Plus 互联网+ and Minxin Pei 裴敏欣.")
    assert ("Snow Bright Project", "雪亮工程", "term") in found
    assert ("Internet Plus", "互联网+", "term") in found
    assert ("Minxin Pei", "裴敏欣", "name") in found


def test_term_offsets_cover_the_pair():
    text = "so-called “grid management system” (网格化管理系统) was"
    (a, b, *_), = find_terms(text)
    assert text[a:b] == "“grid management system” (网格化管理系统)"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("网格化管理系统良民證、：+ ()[]“”‘’'’s,.abcXYZ The Project of Lei")),
               max_size=300))
def test_find_terms_never_raises_and_offsets_are_exact(text):
    for a, b, english, chinese, kind, pinyin in find_terms(text):
        assert chinese.strip("（）()")[:1] in text[a:b] and english and kind in ("name", "title", "term")


def test_pathological_input_is_handled_in_one_pass():
    for text in ("[[[[" * 25000, "1,1," * 25000, "“a " * 30000 + "中文", "Yao, Shun, " * 10000 + "尧、舜"):
        assert find_terms(text) == []


def _paragraphs(text, kind="body"):
    return frame("paragraphs", [{"paragraph_id": "d-p00001", "doc_id": "d", "section_id": "d-s0001", "ordinal": 1,
                                 "kind": kind, "text": text, "char_start": 0, "char_end": len(text)}])


def test_glosses_of_one_chinese_term_are_made_consistent_within_a_document():
    text = "the neighborhood organizations (社区) in which existed even smaller neighborhood organizations (社区)."
    rows = terms(_paragraphs(text))
    assert list(rows["english"]) == ["neighborhood organizations", "neighborhood organizations"]
    for r in rows.itertuples():
        assert text[r.char_start:r.char_end] == r.text


def test_one_row_per_occurrence_with_unique_ids_and_exact_offsets():
    text = "Lei Yi 雷颐 met Lei Yi 雷颐; the School of Mind xinxue 心学."
    rows = terms(_paragraphs(text))
    assert list(rows["english"]).count("Lei Yi") == 2
    assert rows["term_id"].is_unique
    assert set(rows["pinyin"]) == {"lei yi", "xin xue"}
    for r in rows.itertuples():
        assert text[r.char_start:r.char_end] == r.text and r.chinese in r.text


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["BBC", "中文", "首页", "Beijing", "北京健康宝", "SBS", "回来", " ", "，", "APP", "下载",
                                 "新闻", "Twitter", "分享到", "“", "”", "—"]), min_size=2, max_size=12))
def test_a_chinese_page_pairs_nothing_without_a_bracket(words):
    # A Chinese page: its Han characters outnumber the Latin letters of any draw of its links (12 x 9 at most).
    text = "国务院办公厅关于印发政务服务改革方案的通知，各省、自治区、直辖市人民政府，国务院各部委、各直属机构。" * 3 + "".join(words)
    rows = terms(_paragraphs(text))
    assert rows.empty


def test_a_chinese_page_pairs_a_bracketed_gloss_with_the_phrase_before_it():
    text = "会议指出，要推进世界贸易组织（WTO）改革，共建“一带一路”（Belt and Road）倡议取得进展。"
    rows = terms(_paragraphs(text))
    assert set(zip(rows["english"], rows["chinese"])) >= {("WTO", "世界贸易组织")}
    assert all(len(c) <= 8 for c in rows["chinese"])


def test_every_row_with_han_characters_has_its_pinyin():
    text = "the urban subdistricts (街道) and the “grid management system” (网格化管理系统), Lü Xun 吕迅."
    rows = terms(_paragraphs(text))
    assert len(rows) >= 2 and rows["pinyin"].notna().all()
    assert dict(zip(rows["chinese"], rows["pinyin"]))["街道"] == "jie dao"
