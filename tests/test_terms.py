from corpus.pipeline.terms import find_terms


def pairs(text):
    return [(e, c, k) for _, _, e, c, k in find_terms(text)]


def test_bracketed_and_quoted_glosses():
    assert pairs("the urban subdistricts (街道) and the “grid management system” (网格化管理系统) and a "
                 "“good citizen certificate” (良民證).") == [
        ("urban subdistricts", "街道", "term"), ("grid management system", "网格化管理系统", "term"),
        ("good citizen certificate", "良民證", "term")]


def test_unbracketed_names_and_titles():
    found = pairs("Xi Jinping’s 习近平 regard, the Snow Bright Project 雪亮工程, Internet Plus 互联网+ and Minxin Pei 裴敏欣.")
    assert ("Xi Jinping", "习近平", "name") in found
    assert ("Snow Bright Project", "雪亮工程", "term") in found
    assert ("Internet Plus", "互联网+", "term") in found
    assert ("Minxin Pei", "裴敏欣", "name") in found


def test_term_offsets_cover_the_pair():
    text = "so-called “grid management system” (网格化管理系统) was"
    (a, b, *_), = find_terms(text)
    assert text[a:b] == "“grid management system” (网格化管理系统)"


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("网格化管理系统良民證+ ()“”‘’'’s,.abcXYZ The Project of")), max_size=300))
def test_find_terms_never_raises_and_offsets_are_exact(text):
    for a, b, english, chinese, kind in find_terms(text):
        assert chinese in text[a:b] and english


def test_quoted_words_before_a_noun_join_the_gloss_and_owners_are_not_glosses():
    found = pairs("a “digital closed loop” system (数字化闭环) and from Beijing’s (北京健康宝) app")
    assert found == [("digital closed loop system", "数字化闭环", "term")]


def test_glosses_of_one_chinese_term_are_made_consistent_within_a_document():
    from corpus.pipeline.terms import terms
    from corpus.tables import frame

    text = "the neighborhood organizations (社区) in which existed even smaller neighborhood organizations (社区)."
    paragraphs = frame("paragraphs", [{"paragraph_id": "d-p00001", "doc_id": "d", "section_id": "d-s0001",
                                       "ordinal": 1, "kind": "body", "text": text, "char_start": 0,
                                       "char_end": len(text)}])
    rows = terms(paragraphs)
    assert list(rows["english"]) == ["neighborhood organizations", "neighborhood organizations"]
    for r in rows.itertuples():
        assert text[r.char_start:r.char_end] == r.text
