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


def test_cyrillic_and_mixed_segments():
    assert detect("Партия усилила контроль над обществом во время пандемии в Китае.")[0] == "ru"
    text = "The term 网格化管理 and the Russian word контроль."
    assert [(text[a:b], s) for a, b, s in non_latin_runs(text)] == [("网格化管理", "Hani"), ("контроль", "Cyrl")]


def test_detection_is_the_same_in_a_fresh_process():
    import subprocess
    import sys

    code = ("from corpus.pipeline.language import detect; "
            "print([detect(t) for t in ['Ceci est une phrase en français sur la gouvernance.', 'Grid', '社区']])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
