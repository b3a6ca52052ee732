"""Train the Chinese NER model shipped in corpus/models/ner-zh/: a character CRF (python-crfsuite, L-BFGS).

Data (research use; never copied into the project): People's Daily 1998 NER, a character-per-line BIO
file, labels PER/ORG/LOC. `--with-weibo` adds the named (.NAM) mentions of Weibo NER (GPE as LOC); it
lowered the dev F1 (0.826 against 0.835 with the 1.1.0 features; official-document paragraphs 0.798 against
0.796), so the shipped model leaves it out. `--official DIR` self-trains on the genre the corpus is made of:
the stage-1 model, under the pipeline's constraints and gazetteer, tags sentences of the official documents
in DIR, and the model is trained again on both (`--exclude` leaves out the files a dev set was drawn from);
measured with 3,000 sentences of city work reports, it lowered the dev F1 (0.822 against 0.835) and left
official-document paragraphs as they were (0.794 against 0.796), so the shipped model is not self-trained.
Features are `corpus.nlp.zh_char_features`, the ones the pipeline computes at run time. L-BFGS is
deterministic, so the same data and settings give the same model file; `--seed` feeds the only random
steps (the order of the training sentences, the sample of official sentences). With `--dev`, the dev
split is scored and the PERSON confidence bars are calibrated on it (`calibrate_persons`); both go to
meta.json.

    python corpus/training/train_ner_zh.py --train ../shared/train/ner-zh --dev ../shared/bench/ner-dev \
        [--official ../shared/corpus-candidates/city-gwr/txt --exclude DEV_SOURCES]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from importlib import metadata
from pathlib import Path

from corpus.nlp import ZH_NER_DIR, bio_spans, zh_char_features

VERSION = "1.1.0"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
WEIBO_LABELS = {"PER.NAM": "PER", "ORG.NAM": "ORG", "GPE.NAM": "LOC", "LOC.NAM": "LOC"}


def read_bio(path: Path, weibo: bool = False) -> list[tuple[str, list[str]]]:
    """(sentence, per-character tags) of a character-per-line BIO file; Weibo's segmentation digit is dropped
    and its nominal mentions become O."""
    out, chars, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if not parts or len(parts) < 2:
            if chars:
                out.append(("".join(chars), tags))
            chars, tags = [], []
            continue
        char, tag = parts[0], parts[-1]
        if weibo:
            char = char[:-1] if len(char) > 1 and char[-1].isdigit() else char
            prefix, _, kind = tag.partition("-")
            tag = f"{prefix}-{WEIBO_LABELS[kind]}" if kind in WEIBO_LABELS else "O"
        if len(char) != 1:
            continue
        chars.append(char)
        tags.append(tag)
    return out


def score_dev(tagger, dev: Path) -> dict:
    """PER/ORG/LOC F1 on the Chinese documents of a dev folder (exact text + label, counted per document)."""
    truth = json.loads((dev / "truth.json").read_text(encoding="utf-8"))
    tp = npred = ngold = 0
    for name, item in truth.items():
        if item["lang"] != "zh":
            continue
        pred = collections.Counter()
        for line in (dev / "sources" / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line:
                tags = tagger.tag(zh_char_features(line))
                pred.update((line[a:b], label) for a, b, label in bio_spans(tags))
        gold = collections.Counter((text, label) for text, label in item["entities"])
        tp += sum((gold & pred).values())
        npred += sum(pred.values())
        ngold += sum(gold.values())
    p, r = tp / max(1, npred), tp / max(1, ngold)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / max(1e-9, p + r), 4)}


def calibrate_persons(tagger, dev: Path) -> dict:
    """The model's confidence bars for a PERSON (see `corpus.pipeline.entities._zh_person`): per kind of
    string (a surname and a short given name, or anything else), the bar that maximises PER F0.5 over the
    dev split's Chinese documents (a predicted person is right when its document's gold has it). F0.5:
    precision weighs twice recall, as a count of who is named must not list 周转量 or 许可证."""
    from corpus.nlp import zh_surnames
    from corpus.pipeline.entities import _person_confidence, _person_title_cut

    truth = json.loads((dev / "truth.json").read_text(encoding="utf-8"))
    surnames = zh_surnames()
    found: dict[str, list[tuple[float, bool]]] = {"surname": [], "other": []}
    gold_total = 0
    for name, item in truth.items():
        if item["lang"] != "zh":
            continue
        gold = {text for text, label in item["entities"] if label == "PER"}
        gold_total += len(gold)
        for line in (dev / "sources" / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            tagger.set(zh_char_features(line))
            for a, b, label in bio_spans(tagger.tag()):
                if label != "PER":
                    continue
                person = _person_title_cut(line[a:b])
                size = 2 if person[:2] in surnames else 1 if person[:1] in surnames else 0
                kind = "surname" if size and 1 <= len(person) - size <= 2 else "other"
                found[kind].append((_person_confidence(tagger, a, a + len(person)), person in gold))
    bars = {}
    for kind, rows in found.items():
        others = [r for k, rs in found.items() if k != kind for r in rs]
        best = (-1.0, 0.0)
        for bar in [i / 20 for i in range(20)]:
            kept = [hit for conf, hit in rows if conf >= bar] + [hit for _, hit in others]
            tp = sum(kept)
            p, r = tp / max(1, len(kept)), tp / max(1, gold_total)
            best = max(best, (round(1.25 * p * r / max(1e-9, 0.25 * p + r), 4), -bar))
        bars[kind] = -best[1]
    return bars


_SENTENCE = re.compile(r"[^。！？；\n]{12,150}[。！？；]")
_SILVER_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def silver_sentences(official: Path, exclude: set[str], n: int, seed: int) -> list[tuple[str, list[str]]]:
    """Up to `n` sentences of the official documents in `official` (files whose stem is part of a name in
    `exclude` left out), tagged by the pipeline's Chinese entities (`corpus.pipeline.entities.chinese_entities`: the model
    now at ZH_NER_DIR and the constraints and gazetteer around it) in BIO: self-training that carries the
    constraints and the lexicon into the features' weights on the genre the corpus is made of."""
    from corpus.pipeline.entities import _squeezed, chinese_entities

    pool = []
    for path in sorted(official.iterdir()):
        if path.suffix not in (".txt", ".md") or any(path.stem in name for name in exclude):
            continue
        text = _squeezed(path.read_text(encoding="utf-8", errors="replace"))[0]
        pool += [m.group() for m in _SENTENCE.finditer(text) if len(re.findall(r"[\u4e00-\u9fff]", m.group())) > 0.8 * len(m.group())]
    random.Random(seed).shuffle(pool)
    out = []
    for sentence in pool[:n]:
        tags = ["O"] * len(sentence)
        for a, b, label, _ in chinese_entities(sentence):
            if label in _SILVER_LABELS:
                kind = _SILVER_LABELS[label]
                tags[a:b] = [f"B-{kind}"] + [f"I-{kind}"] * (b - a - 1)
        out.append((sentence, tags))
    return out


def train(sentences: list[tuple[str, list[str]]], out: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for text, tags in sentences:
        trainer.append(zh_char_features(text), tags)
    trainer.set_params(PARAMS)
    out.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out / "model.crfsuite"))


def main() -> None:
    import pycrfsuite

    import corpus.nlp

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, required=True, help="folder with peoples-daily-1998.bio, weibo.train.bio")
    parser.add_argument("--dev", type=Path, help="a dev folder (sources/, truth.json) to score")
    parser.add_argument("--out", type=Path, default=ZH_NER_DIR)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--with-weibo", action="store_true",
                        help="add Weibo NER's named mentions (measured: dev F1 0.824 with, 0.832 without)")
    parser.add_argument("--official", type=Path, help="a folder of official documents (.txt) for self-training")
    parser.add_argument("--official-sentences", type=int, default=3000)
    parser.add_argument("--exclude", type=Path, help="a folder whose file names are left out of --official (a dev set)")
    args = parser.parse_args()

    sentences = read_bio(args.train / "peoples-daily-1998.bio")
    if args.with_weibo:
        sentences += read_bio(args.train / "weibo.train.bio", weibo=True)
    random.Random(args.seed).shuffle(sentences)
    train(sentences, args.out)
    silver = []
    if args.official:
        # Stage 2: the stage-1 model, under the pipeline's constraints, tags official sentences; retrain on both.
        corpus.nlp.ZH_NER_DIR = args.out  # the loaders are cached per folder: the stage-1 files are read fresh
        stage1 = {"name": "corpus-ner-zh-crf-stage1", "version": VERSION}
        if args.dev:
            stage1["person_thresholds"] = calibrate_persons(corpus.nlp.zh_tagger(), args.dev)
        (args.out / "meta.json").write_text(json.dumps(stage1), encoding="utf-8")
        exclude = {p.name for p in args.exclude.iterdir()} if args.exclude else set()
        silver = silver_sentences(args.official, exclude, args.official_sentences, args.seed)
        sentences = sentences + silver
        random.Random(args.seed).shuffle(sentences)
        train(sentences, args.out)

    meta = {
        "name": "corpus-ner-zh-crf", "version": VERSION,
        "description": "Character CRF for Chinese PER/ORG/LOC; features: characters and bigrams in a window of two, "
                       "character classes, jieba words and word positions, gazetteer tags (pipeline/data/zh_entities.tsv "
                       "and the divisions of corpus/data/divisions.tsv), short forms of divisions, common surnames "
                       "(pipeline/data/person_names.tsv), the window with numerals masked. person_thresholds: the "
                       "confidence a PER span needs (pipeline/entities.py), calibrated on the dev split.",
        "library": f"python-crfsuite {metadata.version('python-crfsuite')}, jieba {metadata.version('jieba')}",
        "data": ["People's Daily 1998 NER, upstream 'test' split (4,636 sentences; via OYE93/Chinese-NLP-Corpus, "
                 "after zjy-ucas/ChineseNER)"] + ([] if not args.with_weibo else
                 ["Weibo NER train split (Peng and Dredze 2015), named mentions only, GPE as LOC"]) + ([] if not silver else
                 [f"{len(silver)} sentences of the official documents in {args.official.name}/, tagged by the stage-1 model "
                  "under the pipeline's constraints and gazetteer (self-training; see silver_sentences)"]),
        "licence": "Training data: research use only. Model weights: derived from research-use data; research use.",
        "training_sentences": len(sentences), "params": PARAMS, "seed": args.seed,
        "command": "python corpus/training/train_ner_zh.py " + " ".join(sys.argv[1:]),
    }
    if args.dev:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(args.out / "model.crfsuite"))
        meta["scores"] = {"peoples-daily-1998-dev (ner-dev zh docs)": score_dev(tagger, args.dev)}
        meta["person_thresholds"] = calibrate_persons(tagger, args.dev)
    (args.out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta.get("scores", {}), ensure_ascii=False))


if __name__ == "__main__":
    main()
