"""Dedup: exact, near and spun copies grouped into clusters, one canonical copy per cluster.

Method (sub-quadratic; per-document signatures, one global step):
1. Content: a page's text is its article plus the site's chrome (menus, footers, lists of other
   stories). Lines that read as prose (8+ words, a CJK character counting half, and a sentence end, or
   a hard-wrapped sentence's other lines) are the document's content; a document with little prose (under 50 words and a quarter of its words)
   is all content. Words are `\\w+` runs, except that Chinese, Japanese and Korean text is one token
   per character, so one changed character changes one token.
2. Exact copies (the same token sequence: case, spacing, punctuation and wrapping ignored) are
   collapsed first: one representative each, one hash lookup.
3. Candidates: each representative's content word bigrams are MinHashed (rensa, 128 permutations,
   fixed seed; `document_features` per partition, with the exact key and line hashes: the global step
   reads no text but those of the pairs it verifies) and split into 64 bands of 2 rows; documents
   sharing a band bucket are candidates (LSH; the band keys grouped by DuckDB on disk). Small buckets give all their pairs; a big bucket (a
   story syndicated 10,000 times) gives each member and its neighbour in an order that changes with
   the band: linear, and big buckets are kept. Documents sharing a prose line are candidates too (a
   copy in another site's chrome, whose signature is mostly chrome).
4. Lines recurring in 3+ documents are site chrome or a widely copied text (provisions that many
   regulations share, paragraphs of a remixed corpus). Comparing two documents, the recurring prose lines
   of one that the other lacks are left out as its site's chrome only when they are at its top or foot
   and found together in one other document that is not a copy of it (a site's template), and only when
   50+ tokens (or all of it) are left: a comparison is never decided on a remnant. When both have 50+
   words that recur nowhere (two pages of one site: their articles), those must match too.
5. Verification of a pair, S the one with less content, L the other:
   - near: the tokens of S's content covered by word 5-grams (CJK: character 8-grams) found anywhere in
     L are >= 0.8 of S's content, and L's content is >= 0.75 covered by S (so a short text quoted inside
     a long article, or two pages sharing only their site's chrome, are not copies); at most 0.1 of
     either content lies in lines a quarter uncovered (whole articles or paragraphs of its own: another
     regulation sharing most provisions); 3/4 of S's names and half its numbers are in L (a template
     story about another company or another week is not a copy), and every division S names (滨州市)
     is named in L (a city's copy of a province's regulation names the city).
     Coverage counts tokens, not 5-grams: one changed word per sentence uncovers one token, not five.
   - spun: S has 80+ content words, mostly not CJK characters, and L at most twice as many; S's content chunks (8) share >= 0.3
     (the median chunk) and >= 0.15 (every chunk) of their bigrams with the same stretch of L
     (spinners keep the order of the text; rewrites of the same news do not), some 5-grams (>= 0.05),
     and nearly all their numbers (>= 0.9).
   Pairs that share less than 0.4 of S's names (mid-sentence capitalised words, ideographs) are
   never copies: names survive spinning and re-wrapping.
6. Clusters: connected components of verified pairs propose clusters. The canonical copy is the better
   text: the member with the most metadata stated in sources.toml; among those, the fluent ones (mean word
   frequency, wordfreq: a spun copy's synonyms are rarer words); then the fewest boilerplate lines removed by
   clean (chrome, ad markers), a text read as written before one extracted from a page or PDF, the fewest
   replaced bytes, and the smallest doc_id. Every member is then verified directly against the canonical copy and
   gets that comparison's relation and similarity; a member that fails (the far end of a chain) is not
   a duplicate of it: the failed members are clustered again among themselves the same way.
   Cluster IDs are 'c' + the smallest doc_id in the cluster.
Token arrays are kept for a bounded number of documents (_CACHE_TOKENS), re-made when needed again.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import OrderedDict, defaultdict
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..card import md_table
from ..config import DedupConfig
from ..divisions import place_names
from ..errors import MissingExtraError
from ..tables import frame
from ..text import CJK_TOKEN, HAN, KANA, SMALL_BUCKET, TOKEN, band_keys, gram_hashes, set_signatures, token_ids
from . import reuse
from .layer import Layer, SiteMarks, dists


__all__ = ["dedup", "verify_pair", "document_features", "clusters", "duplicate_rows"]

# Above this share of CJK characters among its content tokens a text is never a spun copy (see _relation).
_SPUN_MAX_CJK = 0.5
_SENTENCE_END = re.compile(f"\\w[.!?][\"'”’)\\]]*(?:\\s|$)|[。！？]|(?<=[{HAN}{KANA}])[.!?]")
_NUMBER = re.compile(r"\d[\d,.:/\-]*\d|\d")
_NAME = re.compile(f"(?<![.!?]\\s)(?<![.!?]\\s\\s)(?<=\\s)[A-Z][\\w\\-]+|[{HAN}]")
# The digits ending the line before and starting the line after: a number's halves, when wrapping split it.
_WRAPPED_BEFORE, _WRAPPED_AFTER = re.compile(r"\d*$"), re.compile(r"^\d*")
_METADATA = ("authors", "publisher", "published", "url", "license")
_CHUNKS = 8
_NEAR_N = 5
# CJK text is compared character by character: 5 characters are two or three words, and two regulations of one
# kind are covered by each other's set phrases ("有关部门应当加强") five characters at a time; eight characters
# are about five words, like the word 5-grams of other scripts.
_NEAR_N_CJK = 8
_RECURRING = 3  # a line in this many documents (exact copies counted once) is chrome or a copied text
_MIN_PROSE = 50  # prose tokens (a paragraph) that make a page's prose its content however long its menus
# Candidates below this estimated bigram Jaccard of their contents can only be spun copies (which need
# spun_min_words); near copies cover each other's content to 0.75 or more, sharing far more bigrams.
_NEAR_ESTIMATE = 0.3
# A site's chrome is found together in one of its other pages: the first this many documents holding each
# recurring line are enough to find one (they hold the site's template as much as any later page does).
_POSTINGS = 256
_CACHE_TOKENS = 4_000_000  # tokens of the documents kept tokenised while pairs are verified (~100 MB)


def _wordy(line: str, tokens: list[str], min_words: int) -> bool:
    """8+ words (a CJK character counting as half a word: a Chinese word is ~1.5 characters)."""
    if len(tokens) < min_words:
        return False
    if not line.isascii():
        cjk = sum(1 for t in tokens if len(t) == 1 and t >= "\u3040")
        if len(tokens) - cjk / 2 < min_words:
            return False
    return True


def _runs_on(line: str) -> bool:
    """The line's last sentence goes on past its end (no sentence end at its end)."""
    return line.rstrip(" \t\"'”’)]")[-1:] not in (".", "!", "?", "。", "！", "？")


def _is_prose(line: str, tokens: list[str], min_words: int) -> bool:
    """8+ words and a sentence end."""
    if not _wordy(line, tokens, min_words):
        return False
    end = line.rstrip(" \t\"'”’)]")
    if end[-1:] in (".", "!", "?", "。", "！", "？") and end[-2:-1].isalnum():  # most prose lines: one look
        return True
    return _SENTENCE_END.search(line) is not None


class _Doc:
    """One document's tokens: all of them (for the exact key and for being searched) and its content."""

    def __init__(self, text: str, vocabulary: dict[str, int], config: DedupConfig):
        raw = text.split("\n")
        lines = [TOKEN.findall(line) for line in text.lower().split("\n")]
        lengths = [len(toks) for toks in lines]
        all_tokens = list(chain.from_iterable(lines))
        prose = [_is_prose(raw[i], toks, config.prose_min_words) for i, toks in enumerate(lines)]
        # a hard-wrapped sentence spans lines: a line of 8+ words running on into a prose line, and the end of the
        # sentence a prose line runs on into, are prose too (a copy's content does not depend on its wrapping)
        for i in range(len(lines) - 2, -1, -1):
            if prose[i + 1] and not prose[i] and _wordy(raw[i], lines[i], config.prose_min_words):
                prose[i] = True
        for i in range(1, len(lines)):
            if prose[i - 1] and not prose[i] and _runs_on(raw[i - 1]) and _SENTENCE_END.search(raw[i]):
                prose[i] = True
        prose_tokens = sum(n for n, p in zip(lengths, prose) if p)
        # a page that is mostly lists and menus with a line or two of prose is judged on all of it
        is_prose = prose
        if not (prose_tokens * 4 >= len(all_tokens) or prose_tokens >= _MIN_PROSE):
            prose = [n > 0 for n in lengths]
        self.key = _exact_key(all_tokens)
        self.all = token_ids(all_tokens, vocabulary)
        self.content = self.all[np.repeat(np.array(prose, dtype=bool), lengths)]
        # a CJK character is always one token of its own: counting the characters of the content lines, in C,
        # counts their CJK tokens
        cjk = len(CJK_TOKEN.findall("\n".join(raw[i] for i, p in enumerate(prose) if p))) if not text.isascii() else 0
        self.cjk_share = cjk / max(1, len(self.content))
        self._text, self._content_lines = text, [i for i, p in enumerate(prose) if p]
        # each content line's hash and length, and the sorted hashes of all lines: lines that recur across
        # the build are site chrome or a widely copied text, told apart pair by pair in _pair_content
        # stable hashes: partitions are read in other processes, and their lines compared in the global step
        line_hashes = np.array([_line_hash(toks) for toks in lines if toks], dtype=np.uint64)
        self.line_hashes = line_hashes[np.array(prose, dtype=bool)[np.array(lengths) > 0]]
        self.line_lengths = np.array([lengths[i] for i in self._content_lines], dtype=np.int64)
        self.line_prose = np.array([is_prose[i] for i in self._content_lines], dtype=bool)
        self.lines = np.unique(line_hashes)
        self._grams: dict[int, np.ndarray] = {}
        self._anchors: tuple[set, set] | None = None
        self._recurs: np.ndarray | None = None
        self.index = -1  # its row in the dedup run: which documents hold its recurring lines (_Recurring)

    def grams(self, n: int = _NEAR_N) -> np.ndarray:
        """Sorted distinct token n-gram hashes of the whole text."""
        if n not in self._grams:
            self._grams[n] = np.unique(gram_hashes(self.all, n))
        return self._grams[n]

    def places(self, keep: np.ndarray | None = None) -> set[str]:
        """The divisions (山东省, 滨州市) named in the content lines `keep` marks, or anywhere in the text."""
        raw = self._text.split("\n") if keep is not None else [self._text]
        text = "\n".join(raw[i] for i, k in zip(self._content_lines, keep) if k) if keep is not None else self._text
        return set(_places().findall(text)) if CJK_TOKEN.search(text) else set()

    def anchors(self, keep: np.ndarray) -> tuple[set, set]:
        """What spinners and re-wrapping leave alone: the names (mid-sentence capitals, ideographs) and numbers
        of the content lines `keep` marks."""
        raw = self._text.split("\n")
        if keep.all() and self._anchors is not None:
            return self._anchors
        lines = [i for i, k in zip(self._content_lines, keep) if k]
        content = " \n ".join(raw[i] for i in lines)
        # a number that hard-wrapping split over two lines (Chinese text is wrapped at any character) is one
        # number, though the other half's line is not content
        numbers = " \n ".join(_unwrapped(raw, i) for i in lines)
        anchors = set(_NAME.findall(" " + content)), set(_NUMBER.findall(numbers))
        if keep.all():
            self._anchors = anchors
        return anchors


def _unwrapped(raw: list[str], i: int) -> str:
    """Line `i` of `raw` with the digits of the lines either side that continue a number it starts or ends."""
    before = _WRAPPED_BEFORE.search(raw[i - 1]).group() if i and raw[i][:1].isdigit() else ""
    after = _WRAPPED_AFTER.search(raw[i + 1]).group() if i + 1 < len(raw) and raw[i][-1:].isdigit() else ""
    return before + raw[i] + after


@lru_cache(maxsize=1)
def _places() -> re.Pattern:
    return re.compile("|".join(map(re.escape, place_names())))


def _line_hash(tokens: list[str]) -> int:
    return int.from_bytes(hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=8).digest(), "little")


def _exact_key(tokens: list[str]) -> bytes:
    return hashlib.blake2b(" ".join(tokens).encode("utf-8"), digest_size=16).digest()


def _found(sorted_hashes: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    if not len(sorted_hashes):
        return np.zeros(len(hashes), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_hashes, hashes), len(sorted_hashes) - 1)
    return sorted_hashes[at] == hashes


def _covered(ids: np.ndarray, other: _Doc, n: int = _NEAR_N) -> np.ndarray:
    """Which tokens of `ids` are inside at least one token n-gram that occurs anywhere in `other`."""
    if not len(ids):
        return np.zeros(0, dtype=bool)
    present = _found(other.grams(n), gram_hashes(ids, n))
    if len(ids) < n:
        return np.repeat(present[:1], len(ids))
    counts = np.concatenate(([0], np.cumsum(present)))
    position = np.arange(len(ids))
    first = np.maximum(0, position - n + 1)
    last = np.minimum(position, len(present) - 1) + 1
    return (counts[last] - counts[first]) > 0


def _coverage(ids: np.ndarray, other: _Doc, n: int = _NEAR_N) -> float:
    """Share of the tokens of `ids` inside at least one token n-gram that occurs anywhere in `other`."""
    return float(_covered(ids, other, n).mean()) if len(ids) else 0.0


def _missing(covered: np.ndarray, lengths: np.ndarray) -> float:
    """Share of the tokens in lines of which a quarter or more is not covered: a paragraph or article the other
    text lacks (set phrases cover a part of any article of a regulation of the same kind). A copy's differences
    are scattered edits, one token each; another document sharing most provisions lacks whole ones."""
    lengths = lengths[lengths > 0]
    if not len(covered) or not len(lengths):
        return 0.0
    return float(lengths[_uncovered_lines(covered, lengths)].sum() / lengths.sum())


def _uncovered_lines(covered: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which lines (of `lengths` tokens, all > 0, in order over `covered`) are a quarter or more not covered."""
    per_line = np.add.reduceat(covered.astype(np.int64), np.concatenate(([0], np.cumsum(lengths)[:-1])))
    return per_line * 4 < lengths * 3


def _chunk_containment(short: np.ndarray, long_: np.ndarray, n: int, local: bool) -> list[float]:
    """For each of 8 chunks of `short`, the share of the chunk's n-grams found in `long_`.

    With `local`, each chunk is looked up only in the same stretch of `long_` (one chunk either side):
    spun copies keep the order of the text, rewrites of the same news do not.
    """
    bounds = np.linspace(0, len(short), _CHUNKS + 1).astype(int)
    size = max(1, len(short) // _CHUNKS)
    whole = None if local else np.unique(gram_hashes(long_, n))
    scale = len(long_) / max(1, len(short))
    values = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        grams = np.unique(gram_hashes(short[start:stop + n - 1], n))
        if local:
            lo, hi = int((start - size) * scale), int((stop + size) * scale) + n
            target = np.unique(gram_hashes(long_[max(0, lo):hi], n))
        else:
            target = whole
        values.append(float(_found(target, grams).mean()) if len(grams) else 0.0)
    return values


def _containment(short: set, long_: set) -> float:
    return len(short & long_) / len(short) if short else 1.0


class _Recurring:
    """The lines recurring across one dedup run (in _RECURRING or more documents, exact copies counted once),
    and for each recurring prose line the first _POSTINGS documents (row numbers) holding it."""

    def __init__(self, hashes: np.ndarray = np.zeros(0, dtype=np.uint64), postings: dict | None = None):
        self.hashes, self.postings = hashes, postings or {}


def _pair_lines(doc: _Doc, other: _Doc, recurring: _Recurring) -> tuple[np.ndarray, np.ndarray]:
    """(content, own content) of `doc` compared with `other`, as masks over `doc`'s content lines.

    Content leaves out the chrome of `doc`'s site, which a copy of the article on another site lacks: prose
    lines that recur across the build but not in `other`, at the top or the foot of `doc` (provisions that
    several regulations share sit between their other provisions), and found together in one other document
    (a site's chrome comes as one template; paragraphs that a remixed corpus spreads over many documents do
    not), in a document that is not another copy of `doc`. What is left must be enough to judge on
    (_MIN_PROSE tokens, or all of it): else all of the content counts. A line of a notice, "Pay May 13", is not chrome. Own content is what recurs nowhere: on a page
    of a site, its article.
    """
    if doc._recurs is None:  # `recurring` is the same for every pair of one dedup run
        doc._recurs = _found(recurring.hashes, doc.line_hashes)
    recurs = doc._recurs
    chrome = recurs & doc.line_prose
    if chrome.any():
        chrome &= ~_found(other.lines, doc.line_hashes)
    if chrome.any():  # a line the other holds re-wrapped (wrapped at another width, or not at all) is held too
        n = _NEAR_N_CJK if doc.cjk_share > _SPUN_MAX_CJK else _NEAR_N
        chrome &= _uncovered_lines(_covered(doc.content, other, n), doc.line_lengths)
        chrome &= np.logical_and.accumulate(chrome) | np.logical_and.accumulate(chrome[::-1])[::-1]
    if chrome.any() and recurring.postings:
        weight: dict[int, int] = defaultdict(int)
        for h, n in zip(doc.line_hashes[chrome].tolist(), doc.line_lengths[chrome].tolist()):
            for holder in recurring.postings.get(h, ()):
                weight[holder] += n
        # another copy of `doc` holds its chrome and its text: a page of the same site holds only the chrome
        for h in doc.line_hashes[recurs & ~chrome].tolist():
            for holder in recurring.postings.get(h, ()):
                weight.pop(holder, None)
        weight.pop(doc.index, None), weight.pop(other.index, None)
        template = max(weight, key=lambda k: (weight[k], -k), default=None)
        for k in np.flatnonzero(chrome):
            chrome[k] = template in recurring.postings.get(int(doc.line_hashes[k]), ())
    kept = int(doc.line_lengths[~chrome].sum())
    if kept < min(_MIN_PROSE, int(doc.line_lengths.sum())):
        chrome[:] = False
    return ~chrome, ~recurs


def _verify(a: _Doc, b: _Doc, config: DedupConfig, maybe_near: bool = True,
            recurring: _Recurring = _Recurring()) -> tuple[str | None, float]:
    if a.key == b.key:
        return ("exact", 1.0) if len(a.all) else (None, 0.0)
    (a_keep, a_own), (b_keep, b_own) = _pair_lines(a, b, recurring), _pair_lines(b, a, recurring)
    tokens = lambda doc, keep: doc.content[np.repeat(keep, doc.line_lengths)]  # noqa: E731
    if len(tokens(a, a_keep)) > len(tokens(b, b_keep)):
        a, b, a_keep, b_keep, a_own, b_own = b, a, b_keep, a_keep, b_own, a_own
    relation = _relation(a, b, a_keep, b_keep, config, maybe_near)
    # Pages of one site share their chrome, however much of it reads as prose: when both have text of their
    # own that recurs nowhere else in the build (their articles), that text must be a copy too. Its names and
    # numbers are looked for in all of the other's content: a re-wrapped copy has none of the lines that recur
    # (a provision all regulations share), so its own text holds what the other has in recurring lines.
    if relation[0] and min(len(tokens(a, a_own)), len(tokens(b, b_own))) >= _MIN_PROSE and \
            not (a_own.all() and b_own.all()) and \
            _relation(a, b, a_own, b_own, config, maybe_near, long_anchored=b_keep)[0] is None:
        return None, relation[1]
    return relation


def _relation(short: _Doc, long_: _Doc, short_keep: np.ndarray, long_keep: np.ndarray, config: DedupConfig,
              maybe_near: bool, long_anchored: np.ndarray | None = None) -> tuple[str | None, float]:
    """near, spun or None for the content lines `short_keep` of `short` and `long_keep` of `long_`; short's names
    and numbers are looked for in the lines `long_anchored` of `long_` (default `long_keep`)."""
    content = short.content[np.repeat(short_keep, short.line_lengths)]
    other_content = long_.content[np.repeat(long_keep, long_.line_lengths)]
    long_anchored = long_keep if long_anchored is None else long_anchored
    (short_names, short_numbers), (long_names, long_numbers) = short.anchors(short_keep), long_.anchors(long_anchored)
    names, numbers = _containment(short_names, long_names), _containment(short_numbers, long_numbers)
    # Names survive spinning and re-wrapping: two texts that name different things are different texts.
    if not len(content) or names < config.anchor_threshold:
        return None, 0.0
    n = _NEAR_N_CJK if short.cjk_share > _SPUN_MAX_CJK else _NEAR_N
    covered = _covered(content, long_, n) if maybe_near else np.zeros(len(content), dtype=bool)
    near = float(covered.mean())
    # Template stories (weekly auctions, bond issues) share their wording and differ in their names and figures;
    # a regulation of one city copied by another names the other city.
    if near >= config.near_threshold and names >= config.near_anchor_threshold and \
            numbers >= config.near_number_threshold and short.places(short_keep) <= long_.places():
        other_covered = _covered(other_content, short, n)
        if other_covered.mean() >= config.extent_threshold and \
                max(_missing(covered, short.line_lengths[short_keep]),
                    _missing(other_covered, long_.line_lengths[long_keep])) <= config.missing_threshold:
            return "near", round(near, 4)
    # A spinner swaps words, not figures: template stories (market reports, notices) differ in their numbers.
    # CJK text is compared character by character, and two texts of one genre (two provinces' data
    # regulations) share a third of their character bigrams in order: a loose match there is a
    # different document, so CJK texts are only ever exact or near copies.
    if len(content) < config.spun_min_words or len(other_content) > 2 * len(content) or \
            numbers < config.number_threshold or short.cjk_share > _SPUN_MAX_CJK:
        return None, round(near, 4)
    # Spinning is spread over the whole text: every chunk keeps some of its bigrams in order (the spun copies
    # of the dedup dev set keep >= 0.26 in their worst chunk), so shared chrome cannot make up for the rest.
    chunks = _chunk_containment(content, other_content, 2, local=True)
    spun = float(np.median(chunks))
    if spun >= config.spun_threshold and min(chunks) >= config.spun_threshold / 2 and \
            np.median(_chunk_containment(content, long_.all, _NEAR_N, local=False)) >= 0.05:
        return "spun", round(spun, 4)
    return None, round(max(near, spun), 4)


def verify_pair(a: str, b: str, config: DedupConfig = DedupConfig()) -> tuple[str | None, float]:
    """(relation, similarity) of two texts: exact, near, spun, or (None, score) when distinct."""
    vocabulary: dict[str, int] = {}
    return _verify(_Doc(a, vocabulary, config), _Doc(b, vocabulary, config), config)


def _minhash(docs: list[_Doc], num_perm: int) -> np.ndarray:
    """MinHash signatures (documents x num_perm, uint32) of the content word bigrams of each document."""
    return set_signatures([gram_hashes(d.content, 2) for d in docs], num_perm)  # a repeated bigram changes no minimum


def document_features(documents: pd.DataFrame, config: DedupConfig = DedupConfig()) -> pd.DataFrame:
    """What the global step needs of each built document of `documents`, in doc_id order: no text.

    Per partition: a document's features depend on it alone, so partitions may be read anywhere. Columns:
    doc_id; key (16 bytes: documents with the same token sequence share it); words and content_words (tokens
    of the text and of its content); lines (its distinct line hashes) and prose_lines (those of its prose
    content lines); signature (MinHash, num_perm uint32); known, boilerplate_lines, extracted and
    replaced_bytes: what ranks the canonical copy of a cluster after its fluency (_canonical_key).
    """
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    vocabulary: dict[str, int] = {}
    columns: dict[str, list] = {"key": [], "words": [], "content_words": [], "lines": [], "prose_lines": [],
                                "signature": []}
    for k in range(0, len(built), 2000):
        docs = [_Doc(t, vocabulary, config) for t in built["text"][k:k + 2000]]
        columns["key"] += [d.key for d in docs]
        columns["words"] += [len(d.all) for d in docs]
        columns["content_words"] += [len(d.content) for d in docs]
        columns["lines"] += [d.lines for d in docs]
        columns["prose_lines"] += [np.unique(d.line_hashes[d.line_prose]) for d in docs]
        columns["signature"] += list(_minhash(docs, config.num_perm))
    rank = np.array([_canonical_key(row)[:-1] for row in built.itertuples(index=False)], dtype=np.int64).reshape(-1, 4)
    return pd.DataFrame({"doc_id": list(built["doc_id"]), **columns, "known": -rank[:, 0],
                         "boilerplate_lines": rank[:, 1], "extracted": rank[:, 2], "replaced_bytes": rank[:, 3]})


def _shared_line_pairs(content_lines: list[np.ndarray]) -> np.ndarray:
    """Pairs (i < j) of documents with a prose line in common, each with the next document holding that line.

    A copy of an article in another site's chrome shares its paragraphs while its signature is mostly chrome.
    """
    owners = np.repeat(np.arange(len(content_lines)), [len(h) for h in content_lines])
    hashes = np.concatenate(content_lines or [np.zeros(0, np.uint64)])
    order = np.lexsort((owners, hashes))
    hashes, owners = hashes[order], owners[order]
    same = np.flatnonzero(hashes[1:] == hashes[:-1])
    return np.stack([owners[same], owners[same + 1]], axis=1)


# The pairs a band bucket gives (text.lsh_candidates' rule), grouped by DuckDB over the band keys on disk: a
# bucket of up to SMALL_BUCKET documents gives all its pairs; a bigger one each member and the next in an order
# that differs from band to band.
_BUCKET_PAIRS = f"""
WITH keyed AS (
    SELECT band, key, doc, count(*) OVER (PARTITION BY band, key) AS size,
           row_number() OVER (PARTITION BY band, key ORDER BY shuffle) AS pos,
           lead(doc) OVER (PARTITION BY band, key ORDER BY shuffle) AS next
    FROM read_parquet(?))
SELECT least(doc, next) AS i, greatest(doc, next) AS j FROM keyed WHERE size > {SMALL_BUCKET} AND next IS NOT NULL
UNION
SELECT least(x.doc, y.doc), greatest(x.doc, y.doc) FROM keyed x JOIN keyed y USING (band, key)
WHERE x.size BETWEEN 2 AND {SMALL_BUCKET} AND x.pos < y.pos
ORDER BY i, j"""


def _band_candidates(sigs: np.ndarray, bands: int, min_estimate: float, scratch: Path) -> tuple[np.ndarray, np.ndarray]:
    """text.lsh_candidates' pairs and estimates, the band keys grouped by DuckDB from a Parquet file of (band,
    key, shuffle, doc) in `scratch`, written a band at a time: no band's buckets are held in Python, and
    DuckDB spills to `scratch` past its memory limit (100 MB)."""
    try:
        import duckdb
    except ImportError:
        raise MissingExtraError("duckdb", "build", "dedup") from None
    n = len(sigs)
    if n < 2:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    path, index = Path(scratch) / "band-keys.parquet", np.arange(n, dtype=np.int64)
    schema = pa.schema([("band", pa.int32()), ("key", pa.uint64()), ("shuffle", pa.uint64()), ("doc", pa.int64())])
    with pq.ParquetWriter(path, schema) as writer:
        for band, keys, shuffle in band_keys(sigs, bands):
            writer.write_table(pa.table([np.full(n, band, np.int32), keys, shuffle, index],
                                        schema=schema))
    with duckdb.connect(config={"threads": 1, "memory_limit": "100MB", "temp_directory": str(scratch)}) as db:
        db.execute("SET enable_progress_bar = false")  # a long query draws one on stdout, which is the build's
        found = db.execute(_BUCKET_PAIRS, [str(path)]).fetchnumpy()
    path.unlink()
    pairs = np.stack([found["i"], found["j"]], axis=1).astype(np.int64) if len(found["i"]) else np.zeros((0, 2), np.int64)
    agree = np.concatenate([(sigs[pairs[k:k + 50_000, 0]] == sigs[pairs[k:k + 50_000, 1]]).sum(axis=1)
                            for k in range(0, len(pairs), 50_000)] or [np.zeros(0, np.int64)]) / sigs.shape[1]
    keep = agree >= min_estimate
    return pairs[keep], agree[keep]


def _all_candidates(sigs: np.ndarray, content_lines: list[np.ndarray], config: DedupConfig, scratch: Path):
    """(i, j, maybe_near) for each candidate pair, in order: LSH pairs and pairs sharing a prose line."""
    candidates, estimates = _band_candidates(sigs, config.bands, config.min_estimate, scratch)
    lines = _shared_line_pairs(content_lines)
    n = max(1, len(sigs))
    keys = np.concatenate([candidates[:, 0] * n + candidates[:, 1], lines[:, 0] * n + lines[:, 1]]).astype(np.int64)
    near = np.concatenate([estimates >= _NEAR_ESTIMATE, np.ones(len(lines), dtype=bool)])
    order = np.lexsort((~near, keys))  # a pair found both ways: maybe near
    keys, near = keys[order], near[order]
    first = np.concatenate(([True], keys[1:] != keys[:-1])) if len(keys) else np.zeros(0, dtype=bool)
    return zip((keys[first] // n).tolist(), (keys[first] % n).tolist(), near[first].tolist())


def _recurring(lines: list[np.ndarray], content_lines: list[np.ndarray], rows: list[int]) -> _Recurring:
    """The recurring lines of the representatives (`lines`: each one's distinct line hashes; `content_lines`: its
    prose lines'; `rows`: its row number), with the first _POSTINGS holders of each recurring prose line."""
    hashes, counts = np.unique(np.concatenate(lines or [np.zeros(0, np.uint64)]), return_counts=True)
    recurring = hashes[counts >= _RECURRING]
    owners = np.repeat(np.array(rows, dtype=np.int64), [len(h) for h in content_lines])
    held = np.concatenate(content_lines or [np.zeros(0, np.uint64)])
    keep = _found(recurring, held)
    held, owners = held[keep], owners[keep]
    order = np.lexsort((owners, held))
    held, owners = held[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], held[1:] != held[:-1]))) if len(held) else np.zeros(0, np.int64)
    ends = np.append(starts[1:], len(held))
    postings = {int(held[a]): frozenset(owners[a:min(b, a + _POSTINGS)].tolist())
                for a, b in zip(starts.tolist(), ends.tolist())}
    return _Recurring(recurring, postings)


class _Docs:
    """Documents tokenised on demand from `text_of(row)`; the most recently used kept up to _CACHE_TOKENS tokens
    (memory does not grow with the corpus)."""

    def __init__(self, text_of: Callable[[int], str], config: DedupConfig):
        self.text_of, self.config, self.vocabulary = text_of, config, {}
        self.cache: OrderedDict[int, _Doc] = OrderedDict()
        self.tokens = 0

    def __getitem__(self, i: int) -> _Doc:
        doc = self.cache.pop(i, None)
        if doc is None:
            doc = _Doc(self.text_of(i), self.vocabulary, self.config)
            doc.index = i
            self.tokens += len(doc.all)
        self.cache[i] = doc
        while self.tokens > _CACHE_TOKENS and len(self.cache) > 1:
            self.tokens -= len(self.cache.popitem(last=False)[1].all)
        return doc


class _Components:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i, j) -> None:
        self.parent[self.find(i)] = self.find(j)

    def groups(self, keep_single=lambda i: False) -> list[list]:
        """Components of two or more items, and the single items `keep_single` names."""
        out = defaultdict(list)
        for i in self.parent:
            out[self.find(i)].append(i)
        return [sorted(g) for g in out.values() if len(g) > 1 or keep_single(g[0])]


# Extractors that found a text inside a page or a PDF (where text is lost or mangled), against a file that holds
# the text as written (plain, markdown-it-py); visible_text is the fallback that keeps a page's chrome.
_EXTRACTED = {"trafilatura": 1, "pypdf": 1, "visible_text": 2}
# Mean word frequency (Zipf, wordfreq) by which a copy falls short of the most fluent member and loses: a spun
# copy's synonyms are rarer words ("knowledgeable" for "informed": -0.13 over a whole text); copies that differ
# by a few edits or chrome differ by a hundredth.
_FLUENCY_MARGIN = 0.05


def _canonical_key(doc) -> tuple:
    """(-metadata known, boilerplate removed, extraction, replaced bytes, doc_id): the smallest is the better text
    when its fluency does not decide (_canonical)."""
    # what a curator stated in sources.toml; metadata inferred from a page (its date) says nothing of its text
    curated = getattr(doc, "metadata_source", None) != "inferred"
    known = sum(_known(getattr(doc, k, None)) for k in _METADATA) if curated else 0
    fallback = getattr(doc, "extraction_fallback", None)
    extracted = 2 if _known(fallback) and bool(fallback) else _EXTRACTED.get(getattr(doc, "extractor", None), 0)
    return (-known, _count(doc.boilerplate_lines), extracted, _count(getattr(doc, "replaced_bytes", None)), doc.doc_id)


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


def _count(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _fluency(text: str) -> float:
    """Mean Zipf frequency of the text's words (wordfreq; Chinese for a mostly CJK text, else English)."""
    try:
        from wordfreq import tokenize, zipf_frequency
    except ImportError:
        raise MissingExtraError("wordfreq", "build", "dedup") from None
    tokens = TOKEN.findall(text)
    language = "zh" if 2 * sum(1 for t in tokens if CJK_TOKEN.match(t)) > len(tokens) else "en"
    words = tokenize(text, language)
    return float(np.mean([zipf_frequency(w, language) for w in words])) if words else 0.0


def _canonical(group: list[int], copies: dict[int, list[int]], rank: list[tuple], docs: _Docs) -> int:
    """The canonical copy among the documents `group`'s representatives stand for: the one with most metadata;
    among those, the fluent texts (a spun copy loses to its original); then _canonical_key."""
    members = [d for r in group for d in copies[r]]
    known = min(rank[d][0] for d in members)
    reps = [r for r in group if any(rank[d][0] == known for d in copies[r])]
    if len(reps) > 1:  # exact copies share their fluency
        fluency = {r: _fluency(docs.text_of(r)) for r in reps}
        best = max(fluency.values())
        reps = [r for r in reps if fluency[r] >= best - _FLUENCY_MARGIN]
    return min((d for r in reps for d in copies[r] if rank[d][0] == known), key=rank.__getitem__)


def _clusters(proposed: list[list[int]], pairs: list[tuple[int, int, bool]], copies: dict[int, list[int]],
              rank: list[tuple], docs: _Docs, config: DedupConfig,
              recurring: _Recurring) -> list[tuple[int, dict[int, tuple[str, float]]]]:
    """(canonical, {member: (relation, similarity)}) for each cluster, every member verified against the
    canonical copy directly; the members that fail are clustered again among themselves.

    `proposed` are groups of exact-copy representatives; `copies[r]` are all the documents r stands for;
    `pairs` are candidate pairs of representatives: True where verified as copies, False where not yet verified.
    """
    out = []
    while proposed:
        failed: set[int] = set()
        for group in proposed:
            canonical = _canonical(group, copies, rank, docs)
            canonical_rep = next(r for r in group if canonical in copies[r])
            members = {d: ("exact", 1.0) for d in copies[canonical_rep] if d != canonical}
            for r in group:
                if r != canonical_rep:
                    relation, similarity = _verify(docs[canonical], docs[r], config, recurring=recurring)
                    if relation is None:
                        failed.add(r)
                    else:
                        members.update({d: (relation, similarity) for d in copies[r]})
            if members:  # else every member failed: no cluster here
                out.append((canonical, members))
        again = _Components(failed)
        for i, j, verified in pairs:
            if i in failed and j in failed and again.find(i) != again.find(j) and (
                    verified or _verify(docs[i], docs[j], config, recurring=recurring)[0]):
                again.union(i, j)
        proposed = again.groups(lambda r: len(copies[r]) > 1)
    return out


def clusters(features: pd.DataFrame, text_of: Callable[[int], str], config: DedupConfig,
             scratch: Path) -> list[tuple[int, dict[int, tuple[str, float]]]]:
    """(canonical, {member: (relation, similarity)}) for each cluster of copies among the documents of
    `features` (document_features, in doc_id order; rows are numbered from 0); `text_of(row)` gives a document's
    text, asked only for the candidate pairs being verified. Band keys are grouped on disk in `scratch`."""
    docs = _Docs(text_of, config)
    keys = features["key"].tolist()
    copies: dict[int, list[int]] = {}  # representative -> the documents with its exact text
    by_key: dict[bytes, int] = {}
    for i, (key, words) in enumerate(zip(keys, features["words"].tolist())):
        rep = by_key.setdefault(key, i) if words else i  # no words: a copy of nothing
        copies.setdefault(rep, []).append(i)
    reps = sorted(copies)
    lines, content_lines = features["lines"].to_numpy()[reps], features["prose_lines"].to_numpy()[reps]
    recurring = _recurring(list(lines), list(content_lines), reps)
    signatures = np.stack(features["signature"].to_numpy()[reps]) if reps else np.zeros((0, config.num_perm), np.uint32)
    content_words = features["content_words"].to_numpy(dtype=np.int64)
    components = _Components(reps)
    pairs = []
    for a, b, maybe_near in _all_candidates(signatures, list(content_lines), config, scratch):
        i, j = reps[a], reps[b]
        if not maybe_near and min(content_words[i], content_words[j]) < config.spun_min_words:
            continue
        if components.find(i) == components.find(j):
            pairs.append((i, j, False))  # not needed now; verified later if a canonical check splits them
        elif _verify(docs[i], docs[j], config, maybe_near, recurring)[0] is not None:
            components.union(i, j)
            pairs.append((i, j, True))
    proposed = components.groups(lambda r: len(copies[r]) > 1)
    rank = list(zip((-features["known"]).tolist(), features["boilerplate_lines"].tolist(),
                    features["extracted"].tolist(), features["replaced_bytes"].tolist(), features["doc_id"]))
    return _clusters(proposed, pairs, copies, rank, docs, config, recurring)


def duplicate_rows(found: list[tuple[int, dict[int, tuple[str, float]]]], doc_ids: list[str],
                   title_of: Callable[[list[int]], dict[int, str | None]]) -> pd.DataFrame:
    """The duplicates table of the clusters `found` (clusters()) among `doc_ids`; `title_of(rows)` gives the
    members' titles: cluster_id, doc_id, canonical_doc_id, relation, similarity, title."""
    titles = title_of(sorted({i for canonical, members in found for i in [canonical, *members]}))
    rows = []
    for canonical, members in found:
        cluster_id = "c" + min(doc_ids[i] for i in [canonical, *members])
        for i, (relation, similarity) in [(canonical, ("canonical", 1.0)), *members.items()]:
            rows.append({"cluster_id": cluster_id, "doc_id": doc_ids[i], "canonical_doc_id": doc_ids[canonical],
                         "relation": relation, "similarity": similarity, "title": titles[i]})
    rows.sort(key=lambda r: (r["cluster_id"], r["doc_id"]))
    return frame("duplicates", rows)


def dedup(documents: pd.DataFrame, config: DedupConfig = DedupConfig(),
          features: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster copies among built documents; returns (documents, duplicates).

    `features` may hold the document_features of the built documents in doc_id order, computed per partition
    elsewhere (the same values as computed here).

    Non-canonical members get status 'duplicate' and duplicate_of = the canonical doc_id.
    duplicates: cluster_id, doc_id, canonical_doc_id, relation, similarity, title — one row per member
    of every cluster of two or more, the canonical copy included (relation 'canonical').
    """
    documents = documents.copy()
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    features = document_features(built, config) if features is None else features
    texts, titles = built["text"].tolist(), built["title"].tolist()
    with tempfile.TemporaryDirectory() as scratch:
        found = clusters(features, texts.__getitem__, config, Path(scratch))
    duplicates = duplicate_rows(found, list(built["doc_id"]), lambda rows: {i: titles[i] for i in rows})
    copies_found = duplicates[duplicates["relation"] != "canonical"]
    mark = documents["doc_id"].isin(copies_found["doc_id"])
    documents.loc[mark, "status"] = "duplicate"
    documents.loc[mark, "duplicate_of"] = documents.loc[mark, "doc_id"].map(
        dict(zip(copies_found["doc_id"], copies_found["canonical_doc_id"])))
    return documents, duplicates


def _card(tables, baselines) -> dict[str, str]:
    if "duplicate_clusters" not in baselines:
        return {}
    dup = tables["duplicates"]
    return {"dedup": f"{dup['cluster_id'].nunique()} cluster(s). Copies by relation to their canonical copy "
                     "(`baselines/duplicate_clusters.csv`):\n\n" + md_table(baselines["duplicate_clusters"])}


# dedup and reuse run in the build's global step (run.deduplicate), not per partition: no `run`.
LAYER = Layer("dedup", needs=("documents",), produces=("duplicates", "reuse"), tools=dists("rensa", "rapidfuzz", "wordfreq"),
              card=_card, baselines=reuse.diffusion_baseline,
              site=(SiteMarks("reuse", None, reuse.site_marks, ("reuse", "Shared passages")),))
