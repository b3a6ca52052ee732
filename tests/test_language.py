import pytest

from hypothesis import given, settings, strategies as st

from corpus.pipeline.language import detect, language, with_columns
from corpus.text import han_variant, non_latin_runs, script_counts
from corpus.tables import frame


def test_script_decides_chinese_japanese_korean():
    assert detect("良民證")[0] == "zh-Hant"
    assert detect("网格化管理系统")[0] == "zh-Hans"
    assert detect("これは日本語の文です")[0] == "ja"
    assert detect("한국어 문장입니다")[0] == "ko"


@pytest.mark.parametrize("text, expected", [
    ("Η ελληνική γλώσσα είναι η επίσημη γλώσσα της Ελλάδας και της Κύπρου.", "el"),
    ("اللغة العربية هي لغة رسمية في كثير من الدول العربية.", "ar"),
    ("העברית היא שפה שמית שמדוברת בישראל.", "he"),
    ("ภาษาไทยเป็นภาษาราชการของประเทศไทย", "th"),
    ("हिन्दी भारत की एक राजभाषा है और इसे बहुत लोग बोलते हैं।", "hi"),
    ("Партия усилила контроль над обществом во время пандемии в Китае.", "ru"),
    ("Tiếng Việt là ngôn ngữ chính thức của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.", "vi"),
])
def test_every_script_family_gets_its_language_not_japanese(text, expected):
    lang, score = detect(text)
    assert lang == expected and 0.5 < score <= 1


@pytest.mark.parametrize("text, expected", [
    ("Svenska är ett östnordiskt språk som talas av ungefär tio miljoner personer.", "sv"),
    ("Čeština je západoslovanský jazyk, nejbližší slovenštině, poté polštině.", "cs"),
    ("Suomen kieli on uralilaisten kielten itämerensuomalaiseen ryhmään kuuluva kieli.", "fi"),
    ("Türkçe, Türk dilleri ailesinin Oğuz grubuna ait bir dildir ve en çok konuşulanıdır.", "tr"),
])
def test_languages_outside_any_prior_are_reachable(text, expected):
    assert detect(text)[0] == expected


def test_zero_letters_and_unknown_scripts_are_und():
    assert detect("") == ("und", 0.0)
    assert detect("12,345 — 67.8% (2023)") == ("und", 0.0)
    assert detect("ሰላም ለዓለም ሰላም")[0] == "und-Ethi"  # Ethiopic: no detector knows Amharic


def test_han_extension_b_counts_as_han():
    assert script_counts("𠀀𠀁𠀂")["Hani"] == 3
    assert detect("𠀀𠀁𠀂")[0].startswith("zh")
    assert script_counts("Tiếng Việt")["Latn"] == 9


def test_short_text_scores_lower():
    # (that answers do not change between processes is checked by the golden files, tests/test_golden.py)
    text = "The party-state extended its social control capacity at the grassroots during the pandemic."
    assert detect(text)[0] == "en"
    assert detect("Grid")[1] < detect(text)[1]


@pytest.mark.parametrize("line", ["Abstract", "By Chen Yu", "Introduction", "Xi Jinping", "Table 3", "Notes",
                                  "Reuters", "Photo: AFP", "Revs 1,157 vs 890", "Net 4.5 mln"])
def test_short_lines_are_undetermined_with_their_script(line):
    assert detect(line) == ("und-Latn", 0.0)


@pytest.mark.parametrize("line", ["Hide Overview", "Alexander H. Pepper", "LSB11420 · VERSION 1 · NEW",
                                  "Оглавление Главы Книги", "Mehr Erfahren"])
def test_capitalised_names_buttons_and_codes_say_no_language(line):
    assert detect(line)[0] == f"und-{'Cyrl' if line[0] == 'О' else 'Latn'}"


def test_a_short_sentence_with_a_lowercase_word_is_still_detected():
    assert detect("Обожаю хорошее кино.")[0] == "ru"


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["https://www.gov.cn/zhengce/content/2024-01/05/c_1.htm", "www.example.org/a?b=c",
                        "press@mofcom.gov.cn"]), st.sampled_from(["原文链接：", "来源：", "联系邮箱 "]))
def test_an_address_beside_chinese_is_no_language_of_its_own(address, label):
    assert detect(label + address)[0].startswith("zh")


@pytest.mark.parametrize("text, expected", [
    ("國務院總理李強在會議上說，這是一個繁體中文的段落", "zh-Hant"),
    ("国务院总理李强在会议上说，这是一个简体中文的段落", "zh-Hans"),
    ("國務院總理李強在會議上说", "zh-Hant"),  # one Simplified-only stray in a Traditional line
    ("中文", "zh"),  # characters both systems write: the script cannot tell
])
def test_chinese_variant_is_the_script_most_characters_belong_to(text, expected):
    assert han_variant(text) == expected


@pytest.mark.parametrize("line", ["12.5 34.7", "—", "(2023)", "4,791,000"])
def test_numbers_and_punctuation_are_und(line):
    assert detect(line) == ("und", 0.0)


def test_a_short_han_line_is_still_chinese_and_a_short_cyrillic_one_und():
    assert detect("注释")[0].startswith("zh")
    assert detect("Глава 3")[0] == "und-Cyrl"


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po")), max_size=9))
def test_text_under_ten_letters_is_never_given_a_detected_language(text):
    lang, score = detect(text)
    assert lang.startswith("und") or lang.split("-")[0] in ("zh", "ja", "ko")
    assert 0 <= score <= 1


def test_spans_variants_and_offsets():
    text = "as a “good citizen certificate” (良民證) in the 网格化管理系统 and (不受限制的公權力,才是中國最大的疫情)"
    runs = [(text[a:b], s) for a, b, s in non_latin_runs(text)]
    assert runs == [("良民證", "Hani"), ("网格化管理系统", "Hani"), ("不受限制的公權力,才是中國最大的疫情", "Hani")]
    assert han_variant("良民證") == "zh-Hant" and han_variant("网格化管理系统") == "zh-Hans"


def test_runs_of_every_non_latin_script_are_named_by_iso_15924():
    text = "The term 网格化管理, the word контроль, Greek λόγος, Hindi हिन्दी भाषा, Hebrew עברית, 𠀀𠀁 and これは."
    assert [s for _, _, s in non_latin_runs(text)] == ["Hani", "Cyrl", "Grek", "Deva", "Hebr", "Hani", "Jpan"]


def _tables(texts_by_doc):
    paragraphs, sentences, documents = [], [], []
    for doc, texts in texts_by_doc.items():
        documents.append({"doc_id": doc})
        offset = 0
        for i, text in enumerate(texts, 1):
            pid = f"{doc}-p{i:05d}"
            paragraphs.append({"paragraph_id": pid, "doc_id": doc, "section_id": f"{doc}-s0001", "ordinal": i,
                               "kind": "body", "text": text, "char_start": offset, "char_end": offset + len(text)})
            sentences.append({"sentence_id": f"{pid}-t001", "paragraph_id": pid, "doc_id": doc, "ordinal": 1,
                              "text": text, "char_start": offset, "char_end": offset + len(text)})
            offset += len(text) + 2
    import pandas as pd

    return pd.DataFrame(documents), frame("paragraphs", paragraphs), frame("sentences", sentences)


def _run(texts_by_doc):
    documents, paragraphs, sentences = _tables(texts_by_doc)
    before = (documents.copy(), paragraphs.copy(), sentences.copy())
    languages, spans = language(documents, paragraphs, sentences)
    for kept, original in zip((documents, paragraphs, sentences), before):
        assert kept.equals(original)  # the layer writes its own table, never its inputs
    return (languages, *with_columns(languages, documents, paragraphs, sentences))


def test_a_french_quotation_in_an_english_document_stays_french():
    english = ("The reform of the grassroots committees was announced by the ministry in March, and the local "
               "governments were asked to report on the progress of the pilot programme by the end of the year.")
    languages, documents, paragraphs, sentences = _run({"d": [english, english, "Mais il faut aller plus loin.", english]})
    assert list(paragraphs["language"]) == ["en", "en", "fr", "en"]
    assert list(sentences["language"]) == ["en", "en", "fr", "en"]
    assert documents["language"].tolist() == ["en"]
    assert paragraphs["language_score"].between(0, 1).all()
    assert sorted(languages["unit"].value_counts().items()) == [("document", 1), ("paragraph", 4), ("sentence", 4)]


def test_every_paragraph_gets_a_tag_and_a_numbers_only_paragraph_is_und():
    languages, documents, paragraphs, sentences = _run({"d": ["12 345", "Net 4,791,000 vs 3,803,000"], "e": ["...."]})
    assert paragraphs["language"].notna().all() and sentences["language"].notna().all()
    assert paragraphs["language"].tolist() == ["und", "und-Latn", "und"]
    assert documents.set_index("doc_id").loc["e", "language"] == "und"
    assert set(languages["method"]) == {"none", "short", "paragraph", "dominant"}


def test_a_short_sentence_takes_its_paragraphs_language():
    documents, paragraphs, sentences = _tables({"d": ["x"]})
    text = "Merci. Nous avons reçu votre lettre et nous vous répondrons dans les meilleurs délais possibles."
    paragraphs.loc[0, ["text", "char_end"]] = [text, len(text)]
    one = sentences.iloc[0].to_dict()
    sentences = frame("sentences", [{**one, "sentence_id": "d-p00001-t001", "text": text[:6], "char_end": 6},
                                    {**one, "sentence_id": "d-p00001-t002", "ordinal": 2, "text": text[7:],
                                     "char_start": 7, "char_end": len(text)}])
    languages, _ = language(documents, paragraphs, sentences)
    rows = languages.set_index("unit_id")
    assert rows.loc["d-p00001", "language"] == "fr"
    assert rows.loc["d-p00001-t001", ["language", "method"]].tolist() == ["fr", "paragraph"]
