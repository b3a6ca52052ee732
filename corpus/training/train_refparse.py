"""Train the reference parser's CRF (corpus/models/refparse/) — seeded: the same data gives the same model.

Data: AnyStyle's core training set (BSD-2-Clause; pass its path), GROBID's citation training corpus
(Apache-2.0, about 8,700 tagged <bibl> strings; `--grobid` its folder), and the project's own annotated note
shapes (`data/refparse_templates.txt`, filled from `data/refparse_slots.json` with a seeded generator):
Chinese (《》 titles, 载, 年第N期, GB/T 7714 [M]/[J]), Italian and German footnotes, Chicago notes, Ibid./
cit./同上 forms. Usage:

    python -m corpus.training.train_refparse ../shared/train/refparse/anystyle-core.xml \
        --grobid ../shared/train/grobid/citation

takes about six and a half CPU minutes on one core (14,662 sequences, 200 iterations, no subsampling).
Update the dev scores in meta.json after measuring (`devscore refparse`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from corpus.pipeline.refparse import LABELS, MODEL_DIR, token_features, tokenize

SEED = 14
COPIES_PER_TEMPLATE = 30
HERE = Path(__file__).resolve().parent
ANYSTYLE_LABELS = {"author": "author", "editor": "editor", "translator": "translator", "title": "title",
                   "container-title": "container", "journal": "container", "collection-title": "container",
                   "publisher": "publisher", "location": "location", "date": "date", "volume": "volume",
                   "pages": "pages", "url": "url", "doi": "doi"}
_TAGGED = re.compile(r"<(\w+)>(.*?)</\1>")


def anystyle_sequences(path: Path) -> list[list[tuple[str, str]]]:
    """(text, label) segments of each AnyStyle <sequence>; unknown tags become `other`."""
    out = []
    for seq in ET.parse(path).getroot().iter("sequence"):
        out.append([(" ".join((child.text or "").split()), ANYSTYLE_LABELS.get(child.tag, "other")) for child in seq])
    return out


def _title_words(slots: dict, anystyle: list[list[tuple[str, str]]]) -> tuple[list[str], str]:
    """Words of every title the training data holds (AnyStyle's and the slots'), and their Han characters:
    titles made of them keep the model from learning the few slot titles by heart."""
    texts = [t for seq in anystyle for t, label in seq if label == "title"]
    texts += [t for name, values in slots.items() if name.endswith("_title") for t in values]
    words = sorted({w.strip(".,:;“”\"'‘’") for t in texts for w in t.split() if not re.search(r"[\u4e00-\u9fff]", w)} - {""})
    han = "".join(sorted({c for t in texts for c in t if "\u4e00" <= c <= "\u9fff"}))
    return words, han


def _slot_fillers(slots: dict, rng: random.Random, words: list[str], han: str) -> dict:
    def pick(name: str) -> str:
        if name.endswith("_title") and rng.random() < (0.3 if name.startswith("zh") else 0.6):
            if name.startswith("zh"):
                return "".join(rng.choice(han) for _ in range(rng.randint(6, 16)))
            title = " ".join(rng.choice(words) for _ in range(rng.randint(2, 10)))
            return title[:1].upper() + title[1:]
        return rng.choice(slots[name])

    def en_initial() -> str:
        return pick("en_given")[0] + "."

    return {
        "zh_person": lambda: pick("zh_surname") + pick("zh_given"),
        "en_name": lambda: rng.choice([pick("en_given"), en_initial(), f"{pick('en_given')} {en_initial()}"])
        + " " + pick("en_surname"),
        "en_inv": lambda: f"{pick('en_surname')}, {rng.choice([pick('en_given'), en_initial()])}",
        "en_inits_upper": lambda: f"{pick('en_surname').upper()} {pick('en_given')[0]}"
        + rng.choice(["", " " + pick("en_given")[0]]),
        "en_short": lambda: " ".join(pick("en_title").split(":")[0].split()[:rng.randint(2, 4)]),
        "it_initial": lambda: rng.choice([pick("it_given")[0] + ".", pick("it_given")[0] + ". " + pick("it_given")[0] + "."]),
        "it_surname_upper": lambda: pick("it_surname").upper(),
        "it_short": lambda: " ".join(pick("it_title").split()[:rng.randint(2, 3)]),
        "de_short": lambda: " ".join(pick("de_title").split()[:rng.randint(2, 3)]),
        "year": lambda: str(rng.randint(1800, 2024) if rng.random() < 0.3 else rng.randint(1980, 2024)),
        "page": lambda: str(rng.randint(1, 999)),
        "p1": lambda: str(rng.randint(1, 400)),
        "p2": lambda: str(rng.randint(401, 999)),
        "vol": lambda: str(rng.randint(1, 80)),
        "issue": lambda: str(rng.randint(1, 12)),
        "month_num": lambda: str(rng.randint(1, 12)),
        "day": lambda: str(rng.randint(1, 28)),
        "url": lambda: f"https://{pick('url_host')}/{pick('url_path')}",
        **{name: (lambda name=name: pick(name)) for name in slots if not name.startswith("_")},
    }


def _grobid_label(el: ET.Element, has_analytic: bool) -> str:
    """GROBID's TEI tag of one part of a <bibl> as one of LABELS: an article title (`level="a"`) is the
    title and its journal (`j`) or book (`m`) the container; a book title alone is the title."""
    tag = el.tag.rsplit("}", 1)[-1]
    kind = (el.get("type") or el.get("unit") or el.get("level") or "").lower()
    if tag == "title":
        return "title" if kind == "a" or (kind == "m" and not has_analytic) else "container"
    if tag == "biblScope":
        return {"vol": "volume", "volume": "volume", "issue": "issue", "pp": "pages", "page": "pages",
                "pages": "pages"}.get(kind, "other")
    if tag == "idno":
        return "doi" if kind == "doi" else "other"
    return {"author": "author", "editor": "editor", "date": "date", "publisher": "publisher",
            "orgName": "publisher", "pubPlace": "location", "pubplace": "location", "ptr": "url"}.get(tag, "other")


def grobid_sequences(folder: Path) -> list[list[tuple[str, str]]]:
    """(text, label) segments of each <bibl> of GROBID's citation corpus (TEI, one file per paper)."""
    out = []
    for path in sorted(folder.glob("*.xml")):
        for bibl in ET.parse(path).getroot().iter():
            if bibl.tag.rsplit("}", 1)[-1] != "bibl":
                continue
            children = list(bibl)
            has_analytic = any(c.tag.rsplit("}", 1)[-1] == "title" and c.get("level") == "a" for c in children)
            segments = [(bibl.text or "", "other")]
            for child in children:
                segments.append(("".join(child.itertext()), _grobid_label(child, has_analytic)))
                segments.append((child.tail or "", "other"))
            segments = [(" ".join(t.split()), label) for t, label in segments if t.strip()]
            if segments:
                out.append(segments)
    return out


def template_sequences(rng: random.Random, anystyle: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """The project's own annotated notes: every template filled COPIES_PER_TEMPLATE times."""
    slots = json.loads((HERE / "data" / "refparse_slots.json").read_text(encoding="utf-8"))
    words, han = _title_words(slots, anystyle)
    lines = [line for line in (HERE / "data" / "refparse_templates.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    out = []
    for _ in range(COPIES_PER_TEMPLATE):
        for line in lines:
            fill = _slot_fillers(slots, rng, words, han)
            text = re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)](), line)
            segments, pos = [], 0
            for m in _TAGGED.finditer(text):
                if m.start() > pos:
                    segments.append((text[pos:m.start()], "other"))
                segments.append((m.group(2), m.group(1)))
                pos = m.end()
            if pos < len(text):
                segments.append((text[pos:], "other"))
            out.append(segments)
    return out


def to_example(segments: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    tokens, labels = [], []
    for text, label in segments:
        for tok, _, _ in tokenize(text):
            tokens.append(tok)
            labels.append(label if label in LABELS else "other")
    return tokens, labels


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("anystyle", type=Path, help="anystyle-core.xml (AnyStyle's core training set)")
    ap.add_argument("--grobid", type=Path, help="GROBID's citation corpus folder (grobid/citation, TEI)")
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--iterations", type=int, default=200)
    args = ap.parse_args(argv)
    import pycrfsuite

    rng = random.Random(SEED)
    anystyle = anystyle_sequences(args.anystyle)
    grobid = grobid_sequences(args.grobid) if args.grobid else []
    sequences = anystyle + grobid + template_sequences(rng, anystyle)
    trainer = pycrfsuite.Trainer(verbose=False)
    for segments in sequences:
        tokens, labels = to_example(segments)
        if tokens:
            trainer.append(token_features(tokens), labels)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": args.iterations,
                        "feature.possible_transitions": True, "feature.minfreq": 1})
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.out / "model.crfsuite"
    trainer.train(str(model))
    meta_path = args.out / "meta.json"
    old = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    meta = {
        "name": "refparse-crf", "version": old.get("version", "1.0.0"),
        "description": "Linear-chain CRF labelling reference tokens (authors, title, container, publisher, "
                       "location, date, volume, issue, pages, url, doi, editor, translator, other).",
        "labels": list(LABELS),
        "training_data": [
            {"name": "AnyStyle core training set (anystyle-core.xml)", "sequences": len(anystyle),
             "licence": "BSD-2-Clause", "source": "https://github.com/inukshuk/anystyle (res/parser/core.xml)"},
            *([{"name": "GROBID citation training corpus (grobid-trainer/resources/dataset/citation, TEI <bibl>)",
                "sequences": len(grobid), "licence": "Apache-2.0",
                "source": "https://github.com/kermitt2/grobid"}] if grobid else []),
            {"name": "corpus/training/data/refparse_templates.txt + refparse_slots.json",
             "sequences": len(sequences) - len(anystyle) - len(grobid),
             "licence": "same as this project", "source": "written for this project (note shapes from public style guides)"}],
        "training_command": "python -m corpus.training.train_refparse ../shared/train/refparse/anystyle-core.xml"
                            + (" --grobid ../shared/train/grobid/citation" if grobid else ""),
        "seed": SEED, "params": {"c1": 0.05, "c2": 0.01, "max_iterations": args.iterations},
        "python_crfsuite": pycrfsuite.__version__ if hasattr(pycrfsuite, "__version__") else None,
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
        "dev_scores": old.get("dev_scores", {}),
    }
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"trained on {len(sequences)} sequences -> {model} ({model.stat().st_size // 1024} KB)", file=sys.stderr)


if __name__ == "__main__":
    main()
