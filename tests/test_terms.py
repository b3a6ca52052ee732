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
