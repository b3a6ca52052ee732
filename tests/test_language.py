from corpus.pipeline.language import detect
from corpus.pipeline.scripts import han_variant, non_latin_runs


def test_script_decides_chinese_japanese_korean():
    assert detect("良民證")[0] == "zh-Hant"
    assert detect("网格化管理系统")[0] == "zh-Hans"
    assert detect("これは日本語の文です")[0] == "ja"
    assert detect("한국어 문장입니다")[0] == "ko"


def test_langdetect_is_seeded_and_short_text_low_confidence():
    text = "The party-state extended its social control capacity at the grassroots during the pandemic."
    assert detect(text) == detect(text) and detect(text)[0] == "en"
    assert detect("Grid")[1] <= 0.5


def test_spans_variants_and_offsets():
    text = "as a “good citizen certificate” (良民證) in the 网格化管理系统 and (不受限制的公權力,才是中國最大的疫情)"
    runs = [(text[a:b], s) for a, b, s in non_latin_runs(text)]
    assert runs == [("良民證", "Hani"), ("网格化管理系统", "Hani"), ("不受限制的公權力,才是中國最大的疫情", "Hani")]
    assert han_variant("良民證") == "zh-Hant" and han_variant("网格化管理系统") == "zh-Hans"
