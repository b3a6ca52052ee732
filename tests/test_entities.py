import pandas as pd

from corpus.pipeline.entities import chinese_entities, entities, mask_markers
from corpus.tables import frame


def test_mask_keeps_offsets_and_hides_markers():
    text = "the Henan Health Committee.[6] Eventually (Cao 2022) level.20 中国梦"
    masked = mask_markers(text)
    assert len(masked) == len(text)
    assert "[6]" not in masked and "Cao 2022" not in masked and "20" not in masked and "中国梦" not in masked


def test_entities_trim_and_normalize_with_real_model():
    text = "Xi Jinping’s 习近平 plan worried the People’s Bank of China.[3] Later Xi spoke in Beijing."
    para = frame("paragraphs", [{"paragraph_id": "d-p00001", "doc_id": "d", "section_id": "d-s0001", "ordinal": 1,
                                 "kind": "body", "text": text, "char_start": 0, "char_end": len(text)}])
    sents = frame("sentences", [{"sentence_id": "d-p00001-t001", "paragraph_id": "d-p00001", "doc_id": "d",
                                 "ordinal": 1, "text": text, "char_start": 0, "char_end": len(text), "language": "en"}])
    terms = pd.DataFrame({"doc_id": ["d"], "english": ["Xi Jinping"], "chinese": ["习近平"]})
    ents = entities(para, sents, terms)
    for row in ents.itertuples():
        assert text[row.char_start:row.char_end] == row.text
        assert "[" not in row.text and "\n" not in row.text
    texts = set(ents["text"])
    assert "Xi Jinping" in texts and "Xi Jinping’s" not in texts
    assert not any(t.startswith("the ") for t in texts)
    norm = dict(zip(ents["text"], ents["normalized"]))
    assert norm["Xi Jinping"] == norm["习近平"] == "xi jinping"


def test_chinese_note_strings_are_tagged():
    found = {(text, label) for text in ["新华社", "人民日报", "澎湃"]
             for a, b, label, _ in chinese_entities(f"刘春呈, “疫情社区防控,” {text}") if text in f"刘春呈, “疫情社区防控,” {text}"[a:b]}
    assert {("新华社", "ORG"), ("人民日报", "ORG"), ("澎湃", "ORG")} <= found


def test_chinese_organisations_are_built_from_place_and_suffix():
    text = "北京市公安局通报，河南省卫健委回应，中国人民银行在北京宣布，习近平主持会议。"
    found = {(text[a:b], label) for a, b, label, _ in chinese_entities(text)}
    assert {("北京市公安局", "ORG"), ("河南省卫健委", "ORG"), ("中国人民银行", "ORG"), ("北京", "GPE"),
            ("习近平", "PERSON")} <= found
