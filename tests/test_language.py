import pytest

from corpus.pipeline.language import detect, language
from corpus.pipeline.scripts import han_variant, non_latin_runs, script_counts
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


def test_langdetect_is_seeded_and_short_text_scores_lower():
    text = "The party-state extended its social control capacity at the grassroots during the pandemic."
    assert detect(text) == detect(text) and detect(text)[0] == "en"
    assert detect("Grid")[1] < detect(text)[1]


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


def test_a_french_quotation_in_an_english_document_stays_french():
    english = ("The reform of the grassroots committees was announced by the ministry in March, and the local "
               "governments were asked to report on the progress of the pilot programme by the end of the year.")
    documents, paragraphs, sentences = _tables({"d": [english, english, "Mais il faut aller plus loin.", english]})
    documents, paragraphs, sentences, spans = language(documents, paragraphs, sentences)
    assert list(paragraphs["language"]) == ["en", "en", "fr", "en"]
    assert list(sentences["language"]) == ["en", "en", "fr", "en"]
    assert documents["language"].tolist() == ["en"]
    assert paragraphs["language_score"].between(0, 1).all()


def test_every_paragraph_gets_a_tag_and_a_numbers_only_paragraph_is_und():
    documents, paragraphs, sentences = _tables({"d": ["12 345", "Net 4,791,000 vs 3,803,000"], "e": ["...."]})
    documents, paragraphs, sentences, _ = language(documents, paragraphs, sentences)
    assert paragraphs["language"].notna().all() and sentences["language"].notna().all()
    assert paragraphs["language"].iloc[0] == "und" and documents.set_index("doc_id").loc["e", "language"] == "und"


def test_detection_is_the_same_in_a_fresh_process():
    import subprocess
    import sys

    code = ("from corpus.pipeline.language import detect; "
            "print([detect(t) for t in ['Ceci est une phrase en français sur la gouvernance.', 'Grid', '社区']])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
