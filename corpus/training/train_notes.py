"""Train the paragraph-structure CRF (corpus/models/notes-structure) on generated note layouts.

Real reference strings (AnyStyle core, GROBID's citation corpus, the project's own note templates) are the
notes; paragraphs of the project's bundled sources are the body. Both are split by a seeded shuffle into a
training part and a held-out part; documents made of the held-out part, in layouts drawn with another
seed, give the held-out scores written to meta.json. Every document is rendered by notes_layouts.render,
cleaned by the pipeline's own clean_text and split into paragraphs as segment does, so the model sees
exactly what the citations stage will give it.

    python -m corpus.training.train_notes ../shared/train/refparse/anystyle-core.xml \
        --grobid ../shared/train/grobid/citation
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from corpus.pipeline.clean import clean_text
from corpus.pipeline.notes_model import LABELS, MODEL_DIR, paragraph_features
from corpus.training.notes_layouts import Document, paragraph_labels, render
from corpus.training.train_refparse import anystyle_sequences, grobid_sequences, template_sequences

SEED = 35
HELD_OUT = 0.15
PARAMS = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
_SOURCES = Path(__file__).resolve().parent.parent / "sources"
_BLOCK = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


def body_paragraphs() -> tuple[list[str], list[str]]:
    """(English, Chinese) prose paragraphs of the bundled sources, without their own note numbers."""
    english, chinese = [], []
    for path in sorted(_SOURCES.glob("*.*")):
        if path.suffix not in (".txt", ".md"):
            continue
        for block in _BLOCK.findall(path.read_text(encoding="utf-8", errors="replace")):
            text = " ".join(block.split())
            if not 150 <= len(text) <= 1500 or text[:1].isdigit() or text.startswith(("#", "|", "[", "<")):
                continue
            text = re.sub(r"(?<=[A-Za-z.,”])\d{1,3}(?=\s|$)|\[\d{1,3}\]|[¹²³⁴-⁹⁰]+", "", text)
            han = len(re.findall(r"[\u4e00-\u9fff]", text))
            (chinese if han > len(text) / 3 else english).append(text)
    return english, chinese


def note_strings(anystyle: Path, grobid: Path | None, rng: random.Random) -> list[str]:
    sequences = anystyle_sequences(anystyle)
    out = [" ".join(t for t, _ in seq) for seq in sequences]
    if grobid is not None:
        out += [" ".join(t for t, _ in seq) for seq in grobid_sequences(grobid)]
    out += ["".join(t for t, _ in seq) for seq in template_sequences(rng, sequences)]
    return sorted({" ".join(s.split()) for s in out if 15 <= len(s) <= 600})


def make_document(rng: random.Random, notes: list[str], english: list[str], chinese: list[str]) -> Document:
    prose = chinese if rng.random() < 0.3 and chinese else english
    body = rng.sample(prose, min(len(prose), rng.randint(3, 25)))
    count = rng.choice([rng.randint(3, 12), rng.randint(3, 40), rng.randint(10, 120)])
    chosen, commenting = [], rng.choice([0.05, 0.15, 0.5, 0.9])
    for _ in range(count):
        if rng.random() < commenting:  # a note that comments instead of citing
            sentence = rng.choice(re.split(r"(?<=[.!?])\s+", rng.choice(prose)))
            chosen.append(sentence[:300])
        else:
            chosen.append(rng.choice(notes))
    title = " ".join(rng.choice(prose).split()[:rng.randint(3, 10)]).rstrip(".,;:")[:80]
    chapters = sorted({0} | set(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randint(0, 3))))) if len(body) > 3 else [0]
    return Document(title, body, chosen, chapters)


def examples(count: int, seed: int, notes: list[str], english: list[str], chinese: list[str]):
    """(features, labels, truth numbers) of `count` generated documents."""
    rng = random.Random(seed)
    for _ in range(count):
        doc = make_document(rng, notes, english, chinese)
        source, fmt, pieces = render(doc, rng)
        if fmt == "md":
            from corpus.pipeline.readers.markdown import read_markdown
            source = read_markdown(source).text
        texts = _BLOCK.findall(clean_text(source, fmt))
        yield paragraph_features(texts), paragraph_labels(texts, pieces), texts


def _split(items: list, rng: random.Random) -> tuple[list, list]:
    items = list(items)
    rng.shuffle(items)
    cut = int(len(items) * HELD_OUT)
    return items[cut:], items[:cut]


def evaluate(tagger, data) -> dict:
    """Per-label precision and recall over paragraphs, and the share of documents whose note entries
    are all found exactly."""
    gold, guess, exact, docs = Counter(), Counter(), Counter(), 0
    whole = 0
    for features, labels, _ in data:
        predicted = tagger.tag(features)
        docs += 1
        whole += [p == "note" for p in predicted] == [g == "note" for g in labels]
        for g, p in zip(labels, predicted):
            gold[g] += 1
            guess[p] += 1
            exact[g] += g == p
    scores = {label: {"precision": round(exact[label] / guess[label], 4) if guess[label] else None,
                      "recall": round(exact[label] / gold[label], 4) if gold[label] else None,
                      "support": gold[label]} for label in LABELS}
    return {"paragraphs": sum(gold.values()), "documents": docs, "labels": scores,
            "documents_with_every_note_entry_right": round(whole / max(1, docs), 4)}


def main(argv: list[str] | None = None) -> None:
    import pycrfsuite

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("anystyle", type=Path)
    parser.add_argument("--grobid", type=Path)
    parser.add_argument("--documents", type=int, default=2500)
    parser.add_argument("--held-out-documents", type=int, default=400)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    notes_train, notes_held = _split(note_strings(args.anystyle, args.grobid, rng), rng)
    english, chinese = body_paragraphs()
    en_train, en_held = _split(english, rng)
    zh_train, zh_held = _split(chinese, rng)
    trainer = pycrfsuite.Trainer(verbose=False)
    for features, labels, _ in examples(args.documents, SEED, notes_train, en_train, zh_train):
        trainer.append(features, labels)
    trainer.set_params(PARAMS)
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.out / "model.crfsuite"
    trainer.train(str(model))
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    held = evaluate(tagger, examples(args.held_out_documents, SEED + 1, notes_held, en_held, zh_held))
    meta = {
        "name": "notes-structure-crf",
        "version": "1.0.0",
        "description": "Linear-chain CRF labelling each paragraph of a document (body, heading, note entry, note "
                       "continuation, reference-list entry, furniture, caption, table row, list item); features in "
                       "corpus/pipeline/notes_model.py.",
        "labels": list(LABELS),
        "training_data": [
            {"name": "AnyStyle core training set (anystyle-core.xml), reference strings as notes", "licence": "BSD-2-Clause",
             "source": "https://github.com/inukshuk/anystyle (res/parser/core.xml)"},
            {"name": "GROBID citation training corpus (TEI <bibl>), reference strings as notes", "licence": "Apache-2.0",
             "source": "https://github.com/kermitt2/grobid"},
            {"name": "corpus/training/data/refparse_templates.txt + refparse_slots.json (filled notes)",
             "licence": "same as this project", "source": "written for this project"},
            {"name": "corpus/sources (paragraphs of the bundled sources as body text)",
             "licence": "as each source in corpus/sources/sources.toml", "source": "this project"},
        ],
        "generator": "corpus/training/notes_layouts.py (layouts drawn per document, seeded)",
        "training_documents": args.documents,
        "held_out": {"documents": args.held_out_documents, "seed": SEED + 1,
                     "split": f"{HELD_OUT:.0%} of the note strings and of the body paragraphs, never seen in training",
                     **held},
        "training_command": "python -m corpus.training.train_notes ../shared/train/refparse/anystyle-core.xml "
                            "--grobid ../shared/train/grobid/citation",
        "seed": SEED,
        "params": {k: v for k, v in PARAMS.items()},
        "python_crfsuite": pycrfsuite.__version__ if hasattr(pycrfsuite, "__version__") else "0.9.12",
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    json.dump(held, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
