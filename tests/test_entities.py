import json

import pandas as pd

from hypothesis import given, settings, strategies as st

from corpus.nlp import ZH_NER_DIR, zh_gazetteer, zh_model_info
from corpus.pipeline.entities import chinese_entities, entities, mask_markers
from corpus.tables import frame


def _tables(doc_id: str, paragraphs: list[str], language: str = "en"):
    """paragraphs and sentences tables of one document, one sentence per paragraph."""
    para_rows, sent_rows, pos = [], [], 0
    for k, text in enumerate(paragraphs, 1):
        pid = f"{doc_id}-p{k:05d}"
        para_rows.append({"paragraph_id": pid, "doc_id": doc_id, "section_id": f"{doc_id}-s0001", "ordinal": k,
                          "kind": "body", "text": text, "char_start": pos, "char_end": pos + len(text)})
        sent_rows.append({"sentence_id": f"{pid}-t001", "paragraph_id": pid, "doc_id": doc_id, "ordinal": 1,
                          "text": text, "char_start": pos, "char_end": pos + len(text), "language": language})
        pos += len(text) + 2
    return frame("paragraphs", para_rows), frame("sentences", sent_rows), "\n\n".join(paragraphs)


def _assert_offsets(ents, doc_text: str):
    for row in ents.itertuples():
        assert doc_text[row.char_start:row.char_end] == row.text


def test_mask_keeps_offsets_and_hides_markers():
    text = "the Henan Health Committee.[6] Eventually (Cao 2022) level.20 中国梦"
    masked = mask_markers(text)
    assert len(masked) == len(text)
    assert "[6]" not in masked and "Cao 2022" not in masked and "20" not in masked and "中国梦" not in masked


def test_mask_blanks_long_strings_without_spaces():
    text = "Beijing " + "[" * 5000 + " Shanghai"
    masked = mask_markers(text)
    assert len(masked) == len(text) and "[" not in masked and masked.endswith("Shanghai")


def test_entities_trim_and_normalize_with_real_model():
    text = "Xi Jinping’s 习近平 plan worried the People’s Bank of China.[3] Later Xi spoke in Beijing."
    para, sents, doc_text = _tables("d", [text])
    terms = pd.DataFrame({"doc_id": ["d"], "english": ["Xi Jinping"], "chinese": ["习近平"]})
    ents = entities(para, sents, terms)
    _assert_offsets(ents, doc_text)
    assert not any("[" in t or "\n" in t for t in ents["text"])
    texts = set(ents["text"])
    assert "Xi Jinping" in texts and "Xi Jinping’s" not in texts
    assert not any(t.startswith("the ") for t in texts)
    norm = dict(zip(ents["text"], ents["normalized"]))
    assert norm["Xi Jinping"] == norm["习近平"] == "xi jinping"


def test_abbreviation_period_stays_and_sentence_period_goes():
    para, sents, doc_text = _tables("d", ["Officials in the U.S. met Chinese envoys in Washington."])
    texts = set(entities(para, sents)["text"])
    assert "U.S." in texts and "Washington" in texts


def test_pathological_input_gives_no_entity_and_keeps_offsets():
    para, sents, doc_text = _tables("d", ["[" * 100_000, "1,1," * 20_000, "Li Keqiang visited Shanghai."])
    ents = entities(para, sents)
    _assert_offsets(ents, doc_text)
    assert not any("[" in t or "1,1" in t for t in ents["text"])


def test_one_key_for_a_person_across_scripts_and_forms():
    paragraphs = ["President Xi Jinping spoke first. Xi said the plan works.",
                  "President Xi thanked the delegates.",
                  "新华社报道，习近平主持会议。习总书记强调，要坚持改革。"]
    para, sents, doc_text = _tables("d", paragraphs)
    ents = entities(para, sents)
    _assert_offsets(ents, doc_text)
    persons = ents[ents["label"] == "PERSON"]
    keys = dict(zip(persons["text"], persons["normalized"]))
    assert "习近平" in keys and "Xi Jinping" in keys
    assert {keys[t] for t in keys if t in {"Xi", "Xi Jinping", "习近平", "习", "习总书记"}} == {"xi jinping"}


def test_acronym_defined_in_text_shares_the_full_name_key():
    text = ("The China Banking and Regulatory Commission (CBRC) issued rules. "
            "Banks must report to the CBRC within a month.")
    para, sents, _ = _tables("d", [text])
    ents = entities(para, sents)
    keys = set(ents.loc[ents["text"].isin(["CBRC", "China Banking and Regulatory Commission"]), "normalized"])
    assert keys == {"china banking and regulatory commission"}


def test_glossary_links_chinese_and_english_organisations():
    paragraphs = ["The State Council 国务院 issued the plan.", "国务院办公厅随后发布通知。"]
    para, sents, _ = _tables("d", paragraphs)
    terms = pd.DataFrame({"doc_id": ["d"], "english": ["State Council"], "chinese": ["国务院"]})
    ents = entities(para, sents, terms)
    norm = dict(zip(ents["text"], ents["normalized"]))
    assert norm["国务院"] == norm["State Council"] == "state council"


def test_chinese_note_strings_are_tagged():
    for outlet in ["新华社", "人民日报", "澎湃新闻"]:
        note = f"刘春呈, “疫情社区防控,” {outlet}, 2020年3月1日"
        found = {(note[a:b], label) for a, b, label, _ in chinese_entities(note)}
        assert (outlet, "ORG") in found


def test_chinese_paragraph_is_tagged_by_the_model():
    text = "国务院总理李克强22日在北京会见了美国国务卿。中美双方就经贸问题交换了意见，广东省人民政府派员参加。"
    found = {(text[a:b], label) for a, b, label, _ in chinese_entities(text)}
    assert {("李克强", "PERSON"), ("北京", "GPE"), ("美国", "GPE"), ("国务院", "ORG")} <= found
    assert ("中", "GPE") not in found and ("美", "GPE") not in found  # 中美: abbreviations, not names
    sources = {source for *_, source in chinese_entities(text)}
    assert zh_model_info()["zh_ner_model"] in sources


def test_chinese_document_entities_have_sentences_and_offsets():
    paragraphs = ["新华社北京3月5日电 十三届全国人大一次会议在人民大会堂开幕。", "习近平等党和国家领导人出席会议。"]
    para, sents, doc_text = _tables("z", paragraphs, language="zh-Hans")
    ents = entities(para, sents)
    _assert_offsets(ents, doc_text)
    assert ents["sentence_id"].notna().all()
    assert ("习近平", "PERSON") in set(zip(ents["text"], ents["label"]))


def test_shipped_model_has_its_card():
    meta = json.loads((ZH_NER_DIR / "meta.json").read_text(encoding="utf-8"))
    assert {"name", "version", "data", "licence", "scores", "command"} <= set(meta)
    assert (ZH_NER_DIR / "model.crfsuite").stat().st_size > 0


def test_a_name_padded_with_blanks_is_one_person_with_exact_offsets():
    paragraphs = ["国务院总理 李 强", "各位代表：现在，我代表国务院，向大会作政府工作报告。"]
    para, sents, doc_text = _tables("z", paragraphs, language="zh-Hans")
    ents = entities(para, sents)
    _assert_offsets(ents, doc_text)
    persons = ents[ents["label"] == "PERSON"]
    assert persons["text"].tolist() == ["李 强"] and persons["normalized"].tolist() == ["li qiang"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["中美关系", "中俄两国", "京津冀", "周总理说", "粤港澳大湾区", "以人民为中心", "美好生活",
                                 "国务院", "沪深股市", "苏联解体", "，", "。", "会见了", "党的十九大", "十八届三中全会"]),
                min_size=1, max_size=8))
def test_no_single_character_entity_unless_listed(pieces):
    text = "".join(pieces)
    for a, b, label, _ in chinese_entities(text):
        assert b - a > 1 or text[a:b] in zh_gazetteer()


def test_quantities_and_plenums_are_not_names():
    text = ("全年货物周转量增长6%，新增地方政府专项债券3.9万亿元，发放许可证1200张。"
            "全面贯彻党的二十大和二十届二中、三中全会精神，中共十一届三中全会以来成就巨大。")
    found = {(text[a:b], label) for a, b, label, _ in chinese_entities(text)}
    assert not any(label == "PERSON" for _, label in found)
    assert not any(name.endswith("全会") or any(c.isdigit() for c in name) or "亿" in name for name, _ in found)


def _english(text: str) -> set[tuple[str, str]]:
    para, sents, doc_text = _tables("e", [text])
    ents = entities(para, sents)
    _assert_offsets(ents, doc_text)
    return set(zip(ents["text"], ents["label"]))


def test_english_person_is_a_name_not_a_country_concept_or_owner_phrase():
    found = _english("Modi's India and Putin's Russia courted Brazil. Analysts said Common Prosperity, a slogan "
                     "about common prosperity, and cloud computing drove COVID policy, while Angela Merkel spoke.")
    persons = {t for t, label in found if label == "PERSON"}
    assert "Angela Merkel" in persons
    assert not persons & {"Modi's India", "Putin's Russia", "India", "Russia", "Brazil", "Common Prosperity",
                          "cloud computing", "COVID"}
    assert not any("'s" in p for p in persons)


def test_english_places_in_capitals_are_listed_abbreviations_and_brands_are_not_places():
    found = _english("UPS, FedEx and AI start-ups from the US and the UK opened offices in Shenzhen and Lagos.")
    places = {t for t, label in found if label == "GPE"}
    assert {"US", "UK"} <= places and not places & {"FedEx", "AI", "UPS"}


def test_common_nouns_are_not_organisations_or_persons():
    text = "优化区域经济布局，完善总体布局，农田水利建设加快，江河治理和黄赌毒整治取得成效。公安部、教育部联合发文。"
    found = {(text[a:b], label) for a, b, label, _ in chinese_entities(text)}
    assert not found & {("经济布局", "ORG"), ("总体布局", "ORG"), ("农田水利", "PERSON"), ("江河", "PERSON"),
                        ("黄赌毒", "PERSON")}
    assert not any(label == "PERSON" for _, label in found)
