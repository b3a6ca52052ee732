"""NER over the seed corpus against spaCy alone on the same text (target: at most 1.2 times), both with
the model already loaded; and the entity counts each finds.

    python benchmarks/entities.py
"""

from __future__ import annotations

import time

import spacy

import corpus
from corpus.nlp import _model_name, english
from corpus.pipeline.entities import entities


def main() -> None:
    paragraphs = corpus.load("paragraphs").astype(object).where(lambda d: d.notna(), None)
    sentences = corpus.load("sentences").astype(object).where(lambda d: d.notna(), None)
    terms = corpus.load("terms").astype(object).where(lambda d: d.notna(), None)
    english("entities")  # load outside the timing
    plain = spacy.load(_model_name())
    texts = list(paragraphs["text"])
    list(plain.pipe(texts[:2]))
    start = time.perf_counter()
    found = entities(paragraphs, sentences, terms)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    plain_count = sum(len(doc.ents) for doc in plain.pipe(texts, batch_size=64))
    alone = time.perf_counter() - start
    print(f"entities stage: {ours:.2f} s, {len(found)} entities; spaCy {_model_name()} alone on the same "
          f"paragraphs: {alone:.2f} s, {plain_count} entities; ratio {ours / alone:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
