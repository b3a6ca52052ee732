"""Research baselines computed from a release, deterministically: composition, sources, vocabulary and
a BM25 retrieval reference. `corpus baselines` writes one CSV per baseline; the build writes the same
CSVs into the release (`baselines/`), and the card quotes them.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pandas as pd

__all__ = ["compute", "to_csv", "container_kind", "BASELINES"]

BASELINES = ("composition", "languages", "duplicate_clusters", "sources", "sources_by_kind", "glossary",
             "entity_labels", "top_entities", "retrieval")
_WORD = re.compile(r"[a-z0-9]+(?:[’'\-][a-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u9fff]")


def container_kind(container: str | None, authors: str | None = None) -> str:
    """Kind of a work's source from the outlet registry (corpus/data/container_kinds.tsv): its container,
    else its (institutional) author; `unknown` when the registry names neither."""
    from .pipeline.outlets import outlet_kind

    kind = outlet_kind(container)
    return kind if kind != "unknown" else outlet_kind(authors)


def _tokens(text: str) -> list[str]:
    """Lower-cased words plus Han character bigrams (Chinese has no spaces)."""
    words = _WORD.findall(text.lower())
    han = "".join(_HAN.findall(text))
    return words + [han[i:i + 2] for i in range(len(han) - 1)]


def _composition(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    docs = t["documents"]
    counts = {name: t[name].groupby("doc_id").size() for name in ("paragraphs", "sentences") if name in t}
    out = pd.DataFrame({"doc_id": docs["doc_id"], "source_file": docs["source_file"], "status": docs["status"],
                        "language": docs["language"]})
    for name, c in counts.items():
        out[name] = out["doc_id"].map(c).fillna(0).astype("int64")
    out["tokens"] = [len(_WORD.findall(str(text).lower())) + len(_HAN.findall(str(text))) for text in docs["text"]]
    return out.sort_values("doc_id").reset_index(drop=True)


def _sources(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    refs = t["references"]
    works = refs[refs["kind"].isin(["source"])].copy()
    works["title_language"] = works["language"].fillna("none").map(
        lambda l: "zh" if str(l).startswith("zh") else ("en" if l == "en" else "none"))
    works["container_kind"] = [container_kind(c, a) for c, a in zip(works["container"], works["authors"])]
    works["archived"] = works["url"].fillna("").str.contains("archive.ph|archive.org|web.archive", regex=True)
    per_doc = (works.groupby(["doc_id", "title_language"]).size().unstack(fill_value=0)
               .reindex(columns=["zh", "en", "none"], fill_value=0).reset_index())
    per_doc["works"] = per_doc[["zh", "en", "none"]].sum(axis=1)
    per_doc["with_url"] = per_doc["doc_id"].map(works.groupby("doc_id")["url"].apply(lambda u: int(u.notna().sum())))
    per_doc["archived_share"] = per_doc["doc_id"].map(works.groupby("doc_id")["archived"].mean()).round(4)
    per_doc = per_doc.rename(columns={"zh": "chinese_titles", "en": "english_titles", "none": "untitled"})
    by_kind = (works.groupby(["doc_id", "container_kind"]).size().rename("works").reset_index()
               .sort_values(["doc_id", "container_kind"]).reset_index(drop=True))
    return per_doc.sort_values("doc_id").reset_index(drop=True), by_kind


def _bm25(paragraphs: pd.DataFrame, queries: list[str], k: int = 5) -> pd.DataFrame:
    docs = [_tokens(x) for x in paragraphs["text"]]
    ids = list(paragraphs["paragraph_id"])
    n, avg = len(docs), sum(map(len, docs)) / max(1, len(docs))
    df = Counter(term for d in docs for term in set(d))
    tf = [Counter(d) for d in docs]
    rows = []
    for query in queries:
        terms = sorted(set(_tokens(query)))
        scores = []
        for pid, counts, d in zip(ids, tf, docs):
            score = 0.0
            for term in terms:
                f = counts.get(term, 0)
                if f:
                    idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                    score += idf * f * 2.5 / (f + 1.5 * (0.25 + 0.75 * len(d) / avg))
            if score > 0:
                scores.append((-round(score, 6), pid))
        for rank, (neg, pid) in enumerate(sorted(scores)[:k], 1):
            rows.append({"query": query, "rank": rank, "paragraph_id": pid, "score": -neg})
    return pd.DataFrame(rows, columns=["query", "rank", "paragraph_id", "score"])


def compute(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every baseline that the tables allow, as DataFrames keyed by name (see BASELINES)."""
    t = tables
    out = {"composition": _composition(t)}
    if "paragraphs" in t:
        out["languages"] = (t["paragraphs"].groupby("language").size().rename("paragraphs").reset_index()
                            .sort_values("language").reset_index(drop=True))
    if "duplicates" in t:
        dup = t["duplicates"]
        out["duplicate_clusters"] = (dup[dup["relation"] != "canonical"].groupby("relation")
                                     .agg(copies=("doc_id", "size"), clusters=("cluster_id", "nunique"))
                                     .reset_index())
    if "references" in t:
        out["sources"], out["sources_by_kind"] = _sources(t)
    if "terms" in t:
        terms = t["terms"]
        glossary = (terms.groupby(["english", "chinese", "variant"], dropna=False)
                    .agg(count=("term_id", "size"), documents=("doc_id", "nunique"),
                         paragraphs=("paragraph_id", lambda p: " ".join(sorted(set(p)))))
                    .reset_index().sort_values(["count", "english", "chinese"], ascending=[False, True, True])
                    .reset_index(drop=True))
        out["glossary"] = glossary
        if "paragraphs" in t:
            out["retrieval"] = _bm25(t["paragraphs"], sorted(set(terms["english"])))
    if "entities" in t:
        ents = t["entities"]
        out["entity_labels"] = (ents.groupby(["doc_id", "label"]).size().rename("entities").reset_index()
                                .sort_values(["doc_id", "label"]).reset_index(drop=True))
        named = ents[ents["label"].isin(["PERSON", "ORG"])]
        top = (named.groupby(["doc_id", "label", "normalized"]).size().rename("mentions").reset_index()
               .sort_values(["doc_id", "label", "mentions", "normalized"], ascending=[True, True, False, True]))
        out["top_entities"] = top.groupby(["doc_id", "label"]).head(5).reset_index(drop=True)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """The CSV text of a baseline: fixed line ends and float format, so it compares byte for byte."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")
