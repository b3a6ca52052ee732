"""Reuse: the passages distinct documents share (the articles a city copied from a province's regulation).

Method (linear in the corpus: LSH candidates, never all pairs):
1. Passages: each line of a built document's text is a unit: an article when it starts 第…条, else a
   paragraph; a line longer than _MAX_TOKENS tokens is cut into windows of _WINDOW sentences. Units under
   _MIN_TOKENS tokens (headings, dates, "Reuter") are too short to show copying and are skipped.
2. Shingles: the unit's tokens as dedup makes them (a word, or one CJK character), with division names
   (山东省, 滨州, from corpus/data/divisions.tsv) and article numbers masked, so that a city's copy of a
   province's article matches it; then token 3-grams, or 5-grams where the unit is mostly CJK characters.
3. Candidates: units' MinHash signatures (config.num_perm, dedup's seed) banded as dedup bands documents
   (text.lsh_candidates): units of one bucket, of different documents, are candidates.
4. Verification: a candidate pair is reuse when the exact Jaccard similarity of its shingle sets is at
   least config.min_similarity. Each pair gives a row under each of its two documents.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..config import ReuseConfig
from ..divisions import place_names
from ..tables import frame
from ..text import CJK_TOKEN, TOKEN, ZH_ORDINAL, gram_hashes, lsh_candidates, set_signatures, token_ids
from .layer import Mark

__all__ = ["reuse", "anchor", "site_marks"]

_MIN_TOKENS = 20
_MAX_TOKENS = 200
_WINDOW = 3
_N, _N_CJK = 3, 5
_ARTICLE = re.compile(rf"\s*第{ZH_ORDINAL}条")
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?=[\"'”’)\]]*(?:\s|$))")
_MASK = "\ue000"  # what a masked name becomes: a private-use character, one token of its own
_TOKENS = re.compile(f"{_MASK}|{TOKEN.pattern}")


def _trie(words: list[str]) -> str:
    """One regex alternation of `words` as a trie (山东省|山西省 → 山(?:东省|西省)): Python's re tries the
    alternatives of a flat one at every position, one after another; a trie tries one character."""
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(c) + walk(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        if len(branches) == 1 and not ends:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")

    first = "".join(re.escape(c) for c in sorted(tree))
    return f"(?=[{first}]){walk(tree)}"  # most positions fail on one character class, not on 300 branches


@lru_cache(maxsize=1)
def _masks() -> re.Pattern:
    """Division names (the longest that matches) and the number of an article at the start of its line."""
    return re.compile(f"(?m)^[ \\t\u3000]*第{ZH_ORDINAL}条|{_trie(list(place_names(short=True)))}")


def _masked(text: str) -> str:
    """`text` with each division name and article number replaced by _MASK and spaces: the same length, so
    that offsets of tokens in it are offsets in `text`."""
    return _masks().sub(lambda m: _MASK + " " * (len(m.group()) - 1), text)


def _units(text: str) -> list[tuple[int, int, str]]:
    """(char_start, char_end, unit) of each passage of `text`, in order; ends exclude surrounding spaces."""
    out, start = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            begin = start + line.index(stripped[0])
            end = begin + len(stripped)
            if len(stripped) <= _MAX_TOKENS or len(TOKEN.findall(stripped)) <= _MAX_TOKENS:
                out.append((begin, end, "article" if _ARTICLE.match(stripped) else "paragraph"))
            else:
                ends = [m.end() for m in _SENTENCE_END.finditer(stripped)]
                ends = ends if ends and ends[-1] == len(stripped) else [*ends, len(stripped)]
                cuts = [0, *ends[_WINDOW - 1::_WINDOW]]
                cuts = cuts if cuts[-1] == len(stripped) else [*cuts, len(stripped)]
                for a, b in zip(cuts[:-1], cuts[1:]):
                    piece = stripped[a:b]
                    lead = len(piece) - len(piece.lstrip())
                    if piece.strip():
                        out.append((begin + a + lead, begin + a + len(piece.rstrip()), "sentences"))
        start += len(line) + 1
    return out


def _passages(text: str, vocabulary: dict[str, int]) -> tuple[list[tuple[int, int, str]], list[np.ndarray]]:
    """([(char_start, char_end, unit)], [shingle hashes, not yet made distinct]) of each passage of `text` long
    enough to show copying."""
    cjk_text = not text.isascii() and CJK_TOKEN.search(text) is not None  # isascii: one look at most texts
    masked = (_masked(text) if cjk_text else text).lower()
    if len(masked) != len(text):  # a character whose lower case is longer (İ): offsets from the original
        masked = "".join(c if len(c) == 1 else o for c, o in zip(map(str.lower, text), text))
    kept, tokens, bounds, sizes = [], [], [0], []
    for begin, end, unit in _units(text):
        if end - begin < _MIN_TOKENS:  # fewer characters than the tokens a passage needs
            continue
        found = _TOKENS.findall(masked, begin, end)
        if len(found) >= _MIN_TOKENS:
            kept.append((begin, end, unit))
            tokens += found
            bounds.append(len(tokens))
            sizes.append(cjk_text and 2 * len(CJK_TOKEN.findall(masked, begin, end)) > len(found))
    if not kept:
        return [], []
    ids = token_ids(tokens, vocabulary)  # the n-grams of all passages at once, then each passage's own
    grams = {n: gram_hashes(ids, n) for n in {_N_CJK if cjk else _N for cjk in sizes}}
    return kept, [grams[n][a:b - n + 1] for a, b, n in
                  zip(bounds[:-1], bounds[1:], [_N_CJK if cjk else _N for cjk in sizes])]


def _distinct(sets: list[np.ndarray]) -> list[np.ndarray]:
    """Each array's distinct values, sorted: one sort for all of them."""
    flat = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets)), [len(x) for x in sets])
    order = np.lexsort((flat, owner))
    flat, owner = flat[order], owner[order]
    keep = np.concatenate(([True], (flat[1:] != flat[:-1]) | (owner[1:] != owner[:-1])))
    flat, owner = flat[keep], owner[keep]
    return np.split(flat, np.searchsorted(owner, np.arange(1, len(sets))))


def reuse(documents: pd.DataFrame, config: ReuseConfig = ReuseConfig()) -> pd.DataFrame:
    """The reuse table of the built documents of `documents` (their published texts): for each pair of
    passages of two distinct documents that are the same text, a row under each document."""
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    vocabulary: dict[str, int] = {}
    owner, spans, units, shingles = [], [], [], []
    for d, text in enumerate(built["text"]):
        passages, hashes = _passages(text, vocabulary)
        owner += [d] * len(passages)
        spans += [(start, end) for start, end, _ in passages]
        units += [unit for _, _, unit in passages]
        shingles += hashes
    if not shingles:
        return frame("reuse", [])
    shingles = _distinct(shingles)
    signatures = set_signatures(shingles, config.num_perm)
    pairs, _ = lsh_candidates(signatures, config.bands, config.min_estimate)
    owner_of = np.array(owner)
    pairs = pairs[owner_of[pairs[:, 0]] != owner_of[pairs[:, 1]]]
    ids = list(built["doc_id"])
    rows = []
    for i, j in pairs.tolist():
        a, b = shingles[i], shingles[j]
        shared = len(np.intersect1d(a, b, assume_unique=True))
        similarity = shared / (len(a) + len(b) - shared)
        if similarity < config.min_similarity:
            continue
        for x, y in ((i, j), (j, i)):
            doc, other = ids[owner[x]], ids[owner[y]]
            rows.append({"reuse_id": f"{doc}-u{spans[x][0]:07d}-{other}-{spans[y][0]:07d}", "doc_id": doc,
                         "char_start": spans[x][0], "char_end": spans[x][1], "other_doc_id": other,
                         "other_char_start": spans[y][0], "other_char_end": spans[y][1],
                         "similarity": round(similarity, 4), "unit": units[x]})
    rows.sort(key=lambda r: (r["doc_id"], r["char_start"], r["other_doc_id"], r["other_char_start"]))
    return frame("reuse", rows)


def anchor(row: dict, mine: bool) -> str:
    """The id of a reuse row's passage on the page of its `doc_id` (mine) or of its `other_doc_id`."""
    return f"reuse-{row['reuse_id']}" + ("" if mine else "-other")


def site_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    """A shared passage on either document's page, titled with the other document."""
    marks = []
    for r in by_doc["reuse"].get(doc_id, ()):
        mine = r["doc_id"] == doc_id
        start, end = (r["char_start"], r["char_end"]) if mine else (r["other_char_start"], r["other_char_end"])
        other = r["other_doc_id"] if mine else r["doc_id"]
        marks.append(Mark(start, end, "span",
                          (("class", "reuse"), ("data-other", other),
                           ("title", f"shared with {titles.get(other, other)} (similarity {r['similarity']:.2f})")),
                          (("id", anchor(r, mine)),), rank=0))
    return marks
