"""Dedup: exact, near and spun copies grouped into clusters, one canonical copy per cluster.

Method (sub-quadratic, streaming over documents):
1. Signatures: each document's word bigrams are MinHashed (128 permutations, vectorised numpy) and
   split into 64 bands of 2 rows; documents sharing a band bucket are candidate pairs (LSH).
2. Verification of each candidate pair, on the shorter text cut into 8 chunks:
   - exact: the same word sequence (case, spacing and punctuation ignored);
   - near: the median chunk shares >= 0.8 of its word 5-grams with the other text (re-wrapped,
     boilerplate-wrapped, lightly edited copies);
   - spun: the median chunk shares >= 0.35 of its word bigrams and some 5-grams (>= 0.05) with the other
     text. Synonym spinning keeps word order and most function words, so overlap is spread over the
     whole text; two articles that share a preamble, a byline or a topic overlap in a few chunks only.
   Texts whose lengths differ by more than 2x are never merged (an excerpt is not a copy).
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

__all__ = ["dedup", "verify_pair", "signatures"]

_WORD = re.compile(r"\w+")
_PRIME = np.uint64((1 << 61) - 1)
_METADATA = ("authors", "publisher", "published", "url", "license")
_CHUNKS = 8


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*(tokens[i:] for i in range(n))))


def _shingle_hashes(tokens: list[str]) -> np.ndarray:
    ids = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(ids) < 2:
        return ids
    pairs = (ids[:-1] << np.uint64(32)) | ids[1:]
    return np.unique((pairs * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32))  # 64 -> 32 bits, mixed


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20230601)  # fixed: signatures must not change between runs
    a = rng.integers(1, 1 << 31, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=num_perm, dtype=np.uint64)
    return a, b


def signatures(token_lists: list[list[str]], num_perm: int) -> np.ndarray:
    """MinHash signatures (documents x num_perm) of the word bigrams of each token list."""
    a, b = _permutations(num_perm)
    out = np.full((len(token_lists), num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    for i, tokens in enumerate(token_lists):
        h = _shingle_hashes(tokens) if tokens else np.zeros(0, np.uint64)
        if len(h):
            out[i] = ((np.outer(a, h) + b[:, None]) % _PRIME).min(axis=1)
    return out


def _candidates(sigs: np.ndarray, bands: int) -> set[tuple[int, int]]:
    rows = sigs.shape[1] // bands
    pairs: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(sigs[:, band * rows:(band + 1) * rows])
        for i in range(len(block)):
            buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if 1 < len(members) <= 500:  # a bucket of hundreds is boilerplate, not copies
                pairs.update((x, y) for k, x in enumerate(members) for y in members[k + 1:])
    return pairs


def _chunk_containment(short: list[str], other: set, n: int) -> float:
    size = max(n, len(short) // _CHUNKS)
    values = []
    for start in range(0, max(1, len(short) - n + 1), size):
        grams = _ngrams(short[start:start + size + n - 1], n)
        if grams:
            values.append(len(grams & other) / len(grams))
    return statistics.median(values) if values else 0.0


def verify_pair(a: list[str], b: list[str], config: DedupConfig = DedupConfig()) -> tuple[str | None, float]:
    """(relation, similarity) of two token lists: exact, near, spun, or (None, score) when distinct."""
    if a == b:
        return ("exact", 1.0) if a else (None, 0.0)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short or len(short) * 2 < len(long_):
        return None, 0.0
    near = _chunk_containment(short, _ngrams(long_, 5), 5)
    if near >= config.near_threshold:
        return "near", round(near, 4)
    spun = _chunk_containment(short, _ngrams(long_, 2), 2)
    if spun >= config.spun_threshold and near >= 0.05:
        return "spun", round(spun, 4)
    return None, round(spun, 4)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _canonical_key(doc) -> tuple:
    known = sum(getattr(doc, k) is not None for k in _METADATA)
    return (-known, doc.boilerplate_lines or 0, doc.doc_id)


def dedup(documents: pd.DataFrame, config: DedupConfig = DedupConfig()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster copies among built documents; returns (documents, duplicates).

    Non-canonical members get status 'duplicate' and duplicate_of = the canonical doc_id.
    duplicates: cluster_id, doc_id, canonical_doc_id, relation, similarity, title — one row per member
    of every cluster of two or more, the canonical copy included (relation 'canonical').
    """
    documents = documents.copy()
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    docs = list(built.itertuples(index=False))
    tokens = [_tokens(d.text) for d in docs]
    parent = list(range(len(docs)))
    exact: dict[str, int] = {}
    for i, t in enumerate(tokens):  # exact copies: one hash lookup, no signature needed
        key = " ".join(t)
        if t and key in exact:
            parent[_find(parent, i)] = _find(parent, exact[key])
        exact.setdefault(key, i)
    sigs = signatures(tokens, config.num_perm)
    for i, j in sorted(_candidates(sigs, config.bands)):
        if _find(parent, i) != _find(parent, j) and verify_pair(tokens[i], tokens[j], config)[0]:
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
            relation, similarity = ("canonical", 1.0) if i == canonical else verify_pair(tokens[i], tokens[canonical], config)
            rows.append({"cluster_id": cluster_id, "doc_id": docs[i].doc_id, "canonical_doc_id": docs[canonical].doc_id,
                         "relation": relation or "spun", "similarity": similarity, "title": docs[i].title})
    duplicates = frame("duplicates", rows)
    copies = duplicates[duplicates["relation"] != "canonical"]
    mark = documents["doc_id"].isin(copies["doc_id"])
    documents.loc[mark, "status"] = "duplicate"
    documents.loc[mark, "duplicate_of"] = documents.loc[mark, "doc_id"].map(dict(zip(copies["doc_id"], copies["canonical_doc_id"])))
    return documents, duplicates
