"""Metamorphic: one small document rendered through the layout generator in many random layouts (heading
words and numbers, glue, numbering style, marker style, placement, wraps and furniture all drawn) gives
the same notes and the same markers; and the structure model's features behave on their own. The
distractors the generator adds for training (numbered lists and headings) are left out here: the property
is about layouts; how the model tells notes from lists is its held-out score (meta.json)."""

import random

from hypothesis import HealthCheck, given, settings, strategies as st

from corpus.pipeline.citations import citations
from corpus.pipeline.clean import clean
from corpus.pipeline.notes_model import label_at, label_paragraphs, paragraph_features
from corpus.pipeline.segment import segment
from corpus.tables import frame
from corpus.training.notes_layouts import Document, normalized, render

BODY = [
    "Township cadres were rotated every three years after the reform of the county system in the northern "
    "provinces, and villagers say the new rules changed who decided on land. The county archives hold the lists.",
    "Surveys of households found that trust in the village committee rose where elections were held on time, "
    "while it fell in the places where the township appointed the committee directly. Turnout was high.",
    "Later studies of the same counties confirm the pattern and add that the budget reform mattered as much "
    "as the elections themselves for the villagers who were asked. Few of them had heard of it before.",
    "The evidence from the southern provinces is thinner, though the reports of the provincial offices "
    "point the same way for the years since the reform was extended to them. More work is needed there.",
]
NOTES = [
    "Li Wei, “Rotation of Township Cadres,” People’s Daily, May 2, 2015, https://example.org/rotation.",
    "Wang Fang, Village Power and Trust (Beijing: Renmin Press, 2010), 44–46.",
    "Ibid., 52.",
    "Chen Hao, “Provincial Reports on Village Budgets,” China Quarterly 201 (2012): 12–30.",
    "Zhou, M. (2018). Elections and budgets in rural China. Journal of Chinese Political Science, 23(2), 101–120.",
    "Sun Li, Budgets and Trust: County Finance after the Tax Reform (Shanghai: Fudan University Press, 2016), 3–9.",
]


def _build(source: str, fmt: str):
    if fmt == "md":
        from corpus.pipeline.readers.markdown import read_markdown
        source = read_markdown(source).text
    docs = clean(frame("documents", [{"doc_id": "d", "source_file": f"d.{fmt}", "text": source, "status": "built",
                                      "title": None, "format": fmt}]))
    _, paragraphs, _ = segment(docs)
    return docs["text"].iloc[0], *citations(docs, paragraphs)


def _rendered(seed: int, notes: int, placement: str):
    """A layout of the document with `notes` notes, drawn from `seed`, whose placement is `placement`."""
    rng = random.Random(seed)
    doc = Document("Village Governance After Reform", BODY, NOTES[:notes], [0, 2])
    for _ in range(200):
        source, fmt, pieces = render(doc, rng, distractors=False)
        if _placement(source, pieces) == placement:
            return source, fmt, pieces
    raise AssertionError("the generator never drew the placement")


def _placement(source: str, pieces) -> str:
    if any(p.label == "reference" for p in pieces):
        return "reference_list"
    if not any(p.label == "note" for p in pieces):
        return "none"
    numbers = [p.number for p in pieces if p.label == "note"]
    return "page_foot" if "\f" in source else "restarting" if numbers != sorted(numbers) else "end"


def _same_notes_and_markers(pieces, cites, refs) -> bool:
    """The notes (number and text, the label and any glued heading aside) and the numbered markers that
    resolve to them are those the document was rendered with."""
    expected = [(p.number, normalized(p.text)) for p in pieces if p.label == "note"]
    found: dict = {}
    for r in refs[refs["note_number"].notna()].itertuples():
        found.setdefault((r.reference_id.split("-n")[0], r.note_number), []).append(r.text)
    got = [(n, normalized(" ".join(texts))) for (_, n), texts in found.items()]
    numbered = cites[cites["note_number"].notna()]
    return ([n for n, _ in got] == [n for n, _ in expected]
            and all(whole.endswith(body) for (_, body), (_, whole) in zip(got, expected))
            and sorted(numbered["note_number"]) == sorted(n for n, _ in expected) and bool(numbered["resolved"].all()))


# Measured: the model gets about nine layouts in ten of this document exactly right (notes and markers;
# its per-paragraph held-out scores are in corpus/models/notes-structure/meta.json). The property does not
# hold for every layout yet (short chapters with their own numbering, notes at a page foot right before the
# next page's body); the floor below guards against a regression, the offsets hold in every layout.
LAYOUTS_PER_DRAW, AT_LEAST_SAME = 12, 8


@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_drawn_layouts_give_the_same_notes_and_markers(seed):
    rng = random.Random(seed)
    same = 0
    for _ in range(LAYOUTS_PER_DRAW):
        placement = rng.choice(["end", "restarting", "page_foot"])
        source, fmt, pieces = _rendered(rng.randrange(2**32), rng.randint(3, 6), placement)
        text, cites, refs = _build(source, fmt)
        for r in refs.itertuples():  # in every layout, whatever was found
            assert text[r.char_start:r.char_end] == r.text
        same += _same_notes_and_markers(pieces, cites, refs)
    assert same >= AT_LEAST_SAME


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_a_drawn_reference_list_resolves_the_author_year_citations(seed):
    source, fmt, pieces = _rendered(seed, 6, "reference_list")
    text, cites, refs = _build(source, fmt)
    listed = refs[refs["note_number"].isna()]
    # the whole list is found (two entries a converter ran into one line stay one row: a known limit)
    assert normalized("".join(listed["text"])) == normalized("".join(p.text for p in pieces if p.label == "reference"))
    year_cites = cites[cites["style"] == "author_year"]
    one_per_row = len(listed) == sum(p.label == "reference" for p in pieces)
    assert len(year_cites) and (year_cites["resolved"].all() or not one_per_row)


@given(number=st.integers(1, 999), words=st.lists(st.sampled_from(["Notes", "to", "Chapter", "ENDNOTES", "FOR", "参考文献", "Sources"]), min_size=1, max_size=4),
       chapter=st.integers(1, 99))
def test_a_glued_heading_ends_before_the_first_note_whatever_its_words_and_numbers(number, words, chapter):
    heading = " ".join(words + [str(chapter)])
    text = f"{heading} {number}. Susan Lawrence, “China’s Political Institutions,” CRS Report R43, 2013."
    found = label_at(text)
    assert found is not None and found[0] == number and text[found[1]:].startswith(f"{number}. Susan")


def test_features_and_labels_cover_every_paragraph_and_prose_is_body():
    title = "Village Governance After Reform"
    texts = [title, *BODY, "1. " + NOTES[0], "2. " + NOTES[1], "3. " + NOTES[2]]
    assert len(paragraph_features(texts)) == len(texts)
    labels = label_paragraphs(texts)
    assert labels[1:5] == ["body"] * 4 and labels[5:] == ["note"] * 3
    assert label_paragraphs([]) == []
