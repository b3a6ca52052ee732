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
