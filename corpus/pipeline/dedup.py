"""Dedup: exact, near and spun copies grouped into clusters, one canonical copy per cluster.

Method (sub-quadratic, streaming over documents):
1. Signatures: each document's word bigrams are MinHashed (128 permutations, vectorised numpy) and
   split into 64 bands of 2 rows; documents sharing a band bucket are candidate pairs (LSH).
2. Verification of each candidate pair, on the shorter text cut into 8 chunks:
   - exact: the same word sequence (case, spacing and punctuation ignored);
   - near: the median chunk shares >= 0.8 of its word 5-grams with the other text (re-wrapped,
     boilerplate-wrapped, lightly edited copies);
   - spun: the median chunk shares >= 0.3 of its word bigrams with the same stretch of the other text
     (spinning keeps the order; rewrites of the same news do not), and some 5-grams (>= 0.05) with the other
     text, and nearly all its numbers (>= 0.9) appear in the other. Synonym spinning keeps word order and most function words, so overlap is spread over the
     whole text; two articles that share a preamble, a byline or a topic overlap in a few chunks only.
   Texts whose lengths differ by more than 2x, or that share less than 0.4 of the shorter one's names
   (mid-sentence capitalised words, ideographs), are never merged; spun needs 80 words or more.
3. Clusters are the connected components of verified pairs (union-find). The canonical copy is the
   member with the most metadata known from sources.toml, then the fewest boilerplate lines removed by
   clean, then the smallest doc_id. Cluster IDs are 'c' + the smallest doc_id in the cluster.
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections import defaultdict

import numpy as np
import pandas as pd

from ..config import DedupConfig
from ..tables import frame

__all__ = ["dedup", "verify_pair", "signatures", "document_signatures"]

_WORD = re.compile(r"\w+")
_METADATA = ("authors", "publisher", "published", "url", "license")
_CHUNKS = 8


_NUMBER = re.compile(r"\d[\d,.:/\-]*\d|\d")
_NAME = re.compile(r"(?<![.!?]\s)(?<![.!?]\s\s)(?<=\s)[A-Z][\w\-]+|[\u4e00-\u9fff]")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _containment(short: set, long_: set) -> float:
    return len(short & long_) / len(short) if short else 1.0


def _ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*(tokens[i:] for i in range(n))))


def _shingle_hashes(token_ids: np.ndarray) -> np.ndarray:
    """32-bit hashes of the word bigrams of a document (token ids are 32-bit CRCs of the words)."""
    if len(token_ids) < 2:
        return token_ids
    pairs = (token_ids[:-1] << np.uint64(32)) | token_ids[1:]
    return (pairs * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)  # 64 -> 32 bits, mixed; repeats do not change a minimum


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20230601)  # fixed: signatures must not change between runs
    a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def _token_ids(token_lists: list[list[str]]) -> list[np.ndarray]:
    """Each token as the CRC-32 of its UTF-8 bytes (stable across processes, unlike hash())."""
    vocabulary = {t: zlib.crc32(t.encode("utf-8")) for t in set().union(*token_lists)}
    lookup = vocabulary.__getitem__
    return [np.fromiter(map(lookup, tokens), dtype=np.uint64, count=len(tokens)) for tokens in token_lists]


def signatures(token_lists: list[list[str]], num_perm: int, batch: int = 50_000) -> np.ndarray:
    """MinHash signatures (documents x num_perm) of the word bigrams of each token list.

    Each permutation is a multiply-add-shift hash (a*x + b mod 2**64) >> 32 with odd random 64-bit a:
    2-independent for 32-bit x, one multiplication per value. Documents are hashed in batches.
    """
    a, b = _permutations(num_perm)
    out = np.full((len(token_lists), num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    hashes = [_shingle_hashes(ids) for ids in _token_ids(token_lists)]
    start = 0
    with np.errstate(over="ignore"):
        while start < len(hashes):
            stop, size = start, 0
            while stop < len(hashes) and (size == 0 or size + len(hashes[stop]) <= batch):
                size += len(hashes[stop])
                stop += 1
            lengths = np.array([len(h) for h in hashes[start:stop]])
            if lengths.sum():
                values = (np.outer(a, np.concatenate(hashes[start:stop])) + b[:, None]) >> np.uint64(32)
                nonempty = lengths > 0
                offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
                out[start + np.flatnonzero(nonempty)] = np.minimum.reduceat(values, offsets, axis=1).T
            start = stop
    return out


def _bucket_pairs(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_bucket: int) -> list[np.ndarray]:
    """All pairs inside each bucket (documents order[start:start+size]), vectorised per bucket size."""
    out = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= max_bucket)]):
        first = starts[sizes == size]
        i, j = np.triu_indices(size, k=1)
        out.append(np.stack([order[(first[:, None] + i).ravel()], order[(first[:, None] + j).ravel()]], axis=1))
    return out


def _candidates(sigs: np.ndarray, bands: int, min_estimate: float, max_bucket: int = 100) -> np.ndarray:
    """Pairs (i < j) sharing a band bucket whose signatures agree on at least `min_estimate` of values.

    A bucket holding more than `max_bucket` documents is a template (market reports, notices), not copies.
    """
    n, rows = len(sigs), sigs.shape[1] // bands
    found = []
    with np.errstate(over="ignore"):
        for band in range(bands):
            cols = sigs[:, band * rows:(band + 1) * rows]
            keys = cols[:, 0].copy()
            for c in range(1, rows):
                keys = keys * np.uint64(0x100000001B3) ^ cols[:, c]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
            found += _bucket_pairs(order, starts, np.diff(np.concatenate((starts, [n]))), max_bucket)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1).astype(np.int64)
    keys = np.sort(pairs[:, 0] * n + pairs[:, 1])
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    pairs = np.stack([keys // n, keys % n], axis=1)
    need = min_estimate * sigs.shape[1]
    keep = [pairs[k:k + 50_000][(sigs[pairs[k:k + 50_000, 0]] == sigs[pairs[k:k + 50_000, 1]]).sum(axis=1) >= need]
            for k in range(0, len(pairs), 50_000)]
    return np.concatenate(keep)


def _chunk_containment(short: list[str], other: set | list[str], n: int) -> float:
    """Median over 8 chunks of `short` of the share of the chunk's n-grams found in `other`.

    With `other` a token list, each chunk is looked up only in the same stretch of `other` (one chunk
    either side): spun copies keep the order of the text, rewrites of the same news do not.
    """
    size = max(n, len(short) // _CHUNKS)
    values = []
    for start in range(0, max(1, len(short) - n + 1), size):
        grams = _ngrams(short[start:start + size + n - 1], n)
        if not grams:
            continue
        if isinstance(other, list):
            scale = len(other) / max(1, len(short))
            lo, hi = int((start - size) * scale), int((start + 2 * size) * scale) + n
            target = _ngrams(other[max(0, lo):hi], n)
        else:
            target = other
        values.append(len(grams & target) / len(grams))
    return statistics.median(values) if values else 0.0


class _Doc:
    """Token list plus the n-gram and anchor sets of one document, computed when first needed."""

    def __init__(self, text: str):
        self.text, self.tokens = text, _tokens(text)
        self._sets: dict = {}

    def grams(self, n: int) -> set:
        if n not in self._sets:
            self._sets[n] = _ngrams(self.tokens, n)
        return self._sets[n]

    def anchors(self, kind: str) -> set:
        """What spinners and re-wrapping leave alone: numbers, and names (mid-sentence capitals, ideographs)."""
        if kind not in self._sets:
            self._sets[kind] = set((_NUMBER if kind == "numbers" else _NAME).findall(self.text))
        return self._sets[kind]


def verify_pair(a: str | _Doc, b: str | _Doc, config: DedupConfig = DedupConfig()) -> tuple[str | None, float]:
    """(relation, similarity) of two texts: exact, near, spun, or (None, score) when distinct."""
    a = a if isinstance(a, _Doc) else _Doc(a)
    b = b if isinstance(b, _Doc) else _Doc(b)
    if a.tokens == b.tokens:
        return ("exact", 1.0) if a.tokens else (None, 0.0)
    short, long_ = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
    if not short.tokens or len(short.tokens) * 2 < len(long_.tokens):
        return None, 0.0
    # Names survive spinning and re-wrapping: two texts that name different things are different texts.
    if _containment(short.anchors("names"), long_.anchors("names")) < config.anchor_threshold:
        return None, 0.0
    if len(short.grams(5) & long_.grams(5)) >= config.near_threshold * len(short.grams(5)) * 0.9:
        near = _chunk_containment(short.tokens, long_.grams(5), 5)
        if near >= config.near_threshold:
            return "near", round(near, 4)
    # A spinner swaps words, not figures: template stories (market reports, notices) differ in their numbers.
    if len(short.tokens) < config.spun_min_words or \
            _containment(short.anchors("numbers"), long_.anchors("numbers")) < config.number_threshold:
        return None, 0.0
    if len(short.grams(2) & long_.grams(2)) < config.spun_threshold * len(short.grams(2)) * 0.8:
        return None, 0.0
    spun = _chunk_containment(short.tokens, long_.tokens, 2)
    if spun >= config.spun_threshold and _chunk_containment(short.tokens, long_.grams(5), 5) >= 0.05:
        return "spun", round(spun, 4)
    return None, round(spun, 4)


def document_signatures(documents: pd.DataFrame, config: DedupConfig = DedupConfig()) -> tuple[list[str], np.ndarray]:
    """(doc_ids, signatures) of the built documents of `documents`, in doc_id order."""
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    return list(built["doc_id"]), signatures([_tokens(t) for t in built["text"]], config.num_perm)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _canonical_key(doc) -> tuple:
    known = sum(getattr(doc, k) is not None for k in _METADATA)
    return (-known, doc.boilerplate_lines or 0, doc.doc_id)


def dedup(documents: pd.DataFrame, config: DedupConfig = DedupConfig(),
          sigs: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster copies among built documents; returns (documents, duplicates).

    `sigs` may hold the MinHash signatures of the built documents in doc_id order, computed elsewhere
    (by Dask workers); they are the same as `signatures` would compute here.

    Non-canonical members get status 'duplicate' and duplicate_of = the canonical doc_id.
    duplicates: cluster_id, doc_id, canonical_doc_id, relation, similarity, title — one row per member
    of every cluster of two or more, the canonical copy included (relation 'canonical').
    """
    documents = documents.copy()
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    docs = list(built.itertuples(index=False))
    texts = [_Doc(d.text) for d in docs]
    tokens = [t.tokens for t in texts]
    parent = list(range(len(docs)))
    exact: dict[str, int] = {}
    for i, t in enumerate(tokens):  # exact copies: one hash lookup, no signature needed
        key = " ".join(t)
        if t and key in exact:
            parent[_find(parent, i)] = _find(parent, exact[key])
        exact.setdefault(key, i)
    if sigs is None:
        sigs = signatures(tokens, config.num_perm)
    for i, j in _candidates(sigs, config.bands, config.min_estimate).tolist():
        if _find(parent, i) != _find(parent, j) and verify_pair(texts[i], texts[j], config)[0]:
            parent[_find(parent, i)] = _find(parent, j)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(docs)):
        clusters[_find(parent, i)].append(i)
    rows = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        canonical = min(members, key=lambda i: _canonical_key(docs[i]))
        cluster_id = "c" + min(docs[i].doc_id for i in members)
        for i in members:
            relation, similarity = ("canonical", 1.0) if i == canonical else verify_pair(texts[i], texts[canonical], config)
            rows.append({"cluster_id": cluster_id, "doc_id": docs[i].doc_id, "canonical_doc_id": docs[canonical].doc_id,
                         "relation": relation or "spun", "similarity": similarity, "title": docs[i].title})
    duplicates = frame("duplicates", rows)
    copies = duplicates[duplicates["relation"] != "canonical"]
    mark = documents["doc_id"].isin(copies["doc_id"])
    documents.loc[mark, "status"] = "duplicate"
    documents.loc[mark, "duplicate_of"] = documents.loc[mark, "doc_id"].map(dict(zip(copies["doc_id"], copies["canonical_doc_id"])))
    return documents, duplicates
