"""Research baselines computed from a release, deterministically: composition, sources, vocabulary,
a BM25 retrieval reference and the policy diffusion of the official documents. `corpus baselines` writes
one CSV per baseline; the build writes the same CSVs into the release (`baselines/`), and the card quotes them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .divisions import administrative_level
from .outlets import outlet_kind

__all__ = ["compute", "to_csv", "container_kind", "document_topics", "adoption_year", "card_tables", "BASELINES",
           "TOPICS", "term_families", "SERIES_GENRE", "local_reports"]

BASELINES = ("composition", "collection", "languages", "duplicate_clusters", "sources", "sources_by_kind", "glossary",
             "entity_labels", "top_entities", "retrieval", "document_topics", "diffusion", "diffusion_by_province", "term_series",
             "collection_by_decade", "reuse_diffusion", "term_family_definitions", "city_terms", "city_index",
             "city_index_by_province", "national_index")
_WORD = re.compile(r"[a-z0-9]+(?:[’'\-][a-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u9fff]")


def container_kind(container: str | None, authors: str | None = None) -> str:
    """Kind of a work's source from the outlet registry (corpus/data/container_kinds.tsv): its container,
    else its (institutional) author; `unknown` when the registry names neither."""
    kind = outlet_kind(container)
    return kind if kind != "unknown" else outlet_kind(authors)


@lru_cache(maxsize=1)
def _topics() -> pd.DataFrame:
    """corpus/data/topics.tsv: topic, label, title_terms, text_terms, min_text_hits."""
    return pd.read_csv(Path(__file__).parent / "data" / "topics.tsv", sep="\t", comment="#", dtype=str)


TOPICS = tuple(_topics()["topic"])


def document_topics(title: str | None, text: str | None) -> list[str]:
    """The diffusion topics of one document (corpus/data/topics.tsv), in the file's order."""
    title, text = title if isinstance(title, str) else "", text if isinstance(text, str) else ""
    found = []
    for row in _topics().itertuples(index=False):
        in_title = any(term in title for term in row.title_terms.split("|"))
        hits = sum(text.count(term) for term in row.text_terms.split("|"))
        if in_title or hits >= int(row.min_text_hits):
            found.append(row.topic)
    return found


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
    """Top-k paragraphs per query by BM25 (k1 1.5, b 0.75). An inverted index (term -> paragraphs, counts) means
    each query touches only the paragraphs holding its terms: linear in the postings, not queries x paragraphs."""
    ids = list(paragraphs["paragraph_id"])
    postings: dict[str, tuple[list[int], list[int]]] = {}
    lengths = np.zeros(len(ids))
    for i, text in enumerate(paragraphs["text"]):
        tokens = _tokens(text)
        lengths[i] = len(tokens)
        for term, f in Counter(tokens).items():
            docs, counts = postings.setdefault(term, ([], []))
            docs.append(i)
            counts.append(f)
    n, avg = len(ids), lengths.sum() / max(1, len(ids))
    norm = 1.5 * (0.25 + 0.75 * lengths / avg) if n else lengths
    rows = []
    for query in queries:
        scores: dict[int, float] = {}
        for term in sorted(set(_tokens(query))):
            if term not in postings:
                continue
            docs, counts = np.array(postings[term][0]), np.array(postings[term][1], dtype=float)
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for i, part in zip(docs.tolist(), (idf * counts * 2.5 / (counts + norm[docs])).tolist()):
                scores[i] = scores.get(i, 0.0) + part
        ranked = sorted((-round(score, 6), ids[i]) for i, score in scores.items() if score > 0)
        for rank, (neg, pid) in enumerate(ranked[:k], 1):
            rows.append({"query": query, "rank": rank, "paragraph_id": pid, "score": -neg})
    return pd.DataFrame(rows, columns=["query", "rank", "paragraph_id", "score"])


_OFFICIAL = ["national", "provincial", "prefectural", "county"]
# The header of a Chinese regulation lists its history: 2003年6月28日 第十届全国人民代表大会常务委员会第三次会议通过, then
# each amendment. The earliest dated event there is the adoption, whatever version the text is.
_HEADER_EVENT = re.compile(r"((?:19|20)\d\d)年\d{1,2}月\d{1,2}日[^。\n]{0,80}?(?:通过|公布|发布|批准)")
_HEADER_CHARS = 600


def adoption_year(text: str | None, published: str | None) -> int | None:
    """Year a regulation was first adopted: the earliest dated adoption event in its header (the first 600
    characters), else the year of `published` (the date of the version)."""
    years = [int(y) for y in _HEADER_EVENT.findall(text[:_HEADER_CHARS])] if isinstance(text, str) else []
    if years:
        return min(years)
    return int(str(published)[:4]) if isinstance(published, str) and published[:4].isdigit() else None


# The yearly series read over time (term_series), not adoptions of a policy: a work report that names
# e-government adopts nothing, and the resolution approving it neither.
SERIES_GENRE = "government work report"
_SERIES_GENRES = (SERIES_GENRE, "NPC resolution")


def _official(docs: pd.DataFrame) -> pd.DataFrame:
    """Built official documents with a level and an adoption year, the yearly series aside: doc_id, topic,
    issuer_level, province, jurisdiction, year."""
    built = docs[(docs["status"] == "built") & docs["issuer_level"].notna() & ~docs["genre"].isin(_SERIES_GENRES)]
    rows = []
    for d in built.itertuples(index=False):
        year = adoption_year(d.text, d.published)
        if year is None:
            continue
        first_issuer = str(d.issuer).split("; ")[0]
        # Who adopted: the country, the province, or the prefecture / county body (named by its issuer).
        jurisdiction = {"national": "national", "provincial": d.province}.get(d.issuer_level, first_issuer)
        for topic in document_topics(d.title, d.text):
            rows.append({"doc_id": d.doc_id, "topic": topic, "issuer_level": d.issuer_level, "province": d.province,
                         "jurisdiction": jurisdiction, "year": year})
    return pd.DataFrame(rows, columns=["doc_id", "topic", "issuer_level", "province", "jurisdiction", "year"])


def _diffusion(docs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(document_topics, diffusion, diffusion_by_province) of the official documents.

    Years are years of first adoption (`adoption_year`). diffusion: per topic, issuer level and year with an
    adoption, the documents of that year, the jurisdictions
    adopting for the first time, and the cumulative counts of documents, jurisdictions and provinces.
    diffusion_by_province: per topic and province, the first year, the documents and the levels that adopted.
    """
    official = _official(docs)
    topics = (official[["doc_id", "topic"]].sort_values(["doc_id", "topic"]).reset_index(drop=True))
    order = {t: i for i, t in enumerate(TOPICS)}
    rows = []
    for (topic, level), group in official.groupby(["topic", "issuer_level"], sort=False):
        first = group.groupby("jurisdiction")["year"].min()
        first_province = group.dropna(subset=["province"]).groupby("province")["year"].min()
        for year in sorted(group["year"].unique()):
            rows.append({"topic": topic, "issuer_level": level, "year": int(year),
                         "documents": int((group["year"] == year).sum()),
                         "new_jurisdictions": int((first == year).sum()),
                         "cumulative_documents": int((group["year"] <= year).sum()),
                         "cumulative_jurisdictions": int((first <= year).sum()),
                         "cumulative_provinces": int((first_province <= year).sum())})
    diffusion = pd.DataFrame(rows, columns=["topic", "issuer_level", "year", "documents", "new_jurisdictions",
                                            "cumulative_documents", "cumulative_jurisdictions", "cumulative_provinces"])
    diffusion = diffusion.sort_values(["topic", "issuer_level", "year"], key=lambda c: c.map(
        order) if c.name == "topic" else (c.map(_OFFICIAL.index) if c.name == "issuer_level" else c)).reset_index(drop=True)
    local = official.dropna(subset=["province"])
    by_province = (local.groupby(["topic", "province"])
                   .agg(first_year=("year", "min"), documents=("doc_id", "nunique"),
                        levels=("issuer_level", lambda l: " ".join(sorted(set(l), key=_OFFICIAL.index))))
                   .reset_index())
    by_province = by_province.sort_values(["topic", "first_year", "province"], key=lambda c: c.map(
        order) if c.name == "topic" else c).reset_index(drop=True)
    return topics, diffusion, by_province


def _collection(docs: pd.DataFrame) -> pd.DataFrame:
    """Built documents counted by genre, language, year and issuer level (one row per dimension and value)."""
    built = docs[docs["status"] == "built"]
    columns = {"genre": built["genre"], "language": built["language"],
               "year": built["published"].map(lambda p: str(p)[:4] if isinstance(p, str) else None),
               "issuer_level": built["issuer_level"]}
    parts = []
    for dimension, values in columns.items():
        counts = values.fillna("unknown").value_counts()
        parts.append(pd.DataFrame({"dimension": dimension, "value": counts.index, "documents": counts.values})
                     .sort_values("value").reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=1)
def term_families() -> pd.DataFrame:
    """corpus/data/term_families.tsv: family, label, terms, source."""
    return pd.read_csv(Path(__file__).parent / "data" / "term_families.tsv", sep="\t", comment="#", dtype=str)


def _family_pattern(terms: str) -> re.Pattern:
    return re.compile("|".join(r"\s*".join(re.escape(c) for c in term) for term in terms.split("|")))


def _year(published: str | None) -> int | None:
    return int(published[:4]) if isinstance(published, str) and published[:4].isdigit() else None


def _term_series(docs: pd.DataFrame) -> pd.DataFrame:
    """Per national Government Work Report (genre SERIES_GENRE, issuer level national) and term family
    (corpus/data/term_families.tsv): year, doc_id, family, hits, characters (of the report's text) and per_10k
    (hits per 10,000 characters); zeros kept, so each year has every family. The cities' reports are in
    city_terms."""
    reports = docs[(docs["status"] == "built") & (docs["genre"] == SERIES_GENRE) & (docs["issuer_level"] == "national")]
    families = [(f.family, _family_pattern(f.terms)) for f in term_families().itertuples(index=False)]
    rows = []
    for d in reports.itertuples(index=False):
        year = _year(d.published)
        if year is None:
            continue
        for family, pattern in families:
            hits = len(pattern.findall(d.text))
            rows.append({"year": year, "doc_id": d.doc_id, "family": family, "hits": hits, "characters": len(d.text),
                         "per_10k": round(hits * 10_000 / max(1, len(d.text)), 4)})
    order = {f: i for i, (f, _) in enumerate(families)}
    out = pd.DataFrame(rows, columns=["year", "doc_id", "family", "hits", "characters", "per_10k"])
    return out.sort_values(["year", "doc_id", "family"], key=lambda c: c.map(order) if c.name == "family" else c,
                           ).reset_index(drop=True)


def _collection_by_decade(docs: pd.DataFrame) -> pd.DataFrame:
    """Built documents counted by genre, issuer level and decade of `published_date` (`unknown` where missing)."""
    built = docs[docs["status"] == "built"]
    decade = built["published_date"].map(lambda d: f"{d.year // 10 * 10}s" if pd.notna(d) else "unknown")
    frame = pd.DataFrame({"genre": built["genre"].fillna("unknown"), "issuer_level": built["issuer_level"].fillna(
        "unknown"), "decade": decade})
    return (frame.groupby(["genre", "issuer_level", "decade"]).size().rename("documents").reset_index()
            .sort_values(["genre", "issuer_level", "decade"]).reset_index(drop=True))


_LOCAL = ("provincial", "prefectural", "county")


def local_reports(docs: pd.DataFrame) -> pd.DataFrame:
    """The built work reports of local governments (genre SERIES_GENRE, issuer level provincial, prefectural or
    county): doc_id, city (the issuer without 人民政府 or 行政公署: 北京市, 黄山市黄山区), province,
    administrative_level (corpus/divisions.py), year (of `published`), text."""
    reports = docs[(docs["status"] == "built") & (docs["genre"] == SERIES_GENRE) & docs["issuer_level"].isin(_LOCAL)]
    rows = [{"doc_id": d.doc_id, "city": re.sub(r"(?:人民政府|行政公署)$", "", str(d.issuer)), "province": d.province,
             "administrative_level": administrative_level(d.issuer), "year": _year(d.published), "text": d.text}
            for d in reports.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["doc_id", "city", "province", "administrative_level", "year", "text"])


def _attention(text: str, families: list[tuple[str, re.Pattern]], anyterm: re.Pattern) -> dict:
    """Hits per 10,000 characters of each family, of any family's term (each stretch of text counted once),
    and how many families the text names."""
    size = max(1, len(text))
    hits = {family: len(pattern.findall(text)) for family, pattern in families}
    return {**{family: round(n * 10_000 / size, 4) for family, n in hits.items()},
            "per_10k": round(len(anyterm.findall(text)) * 10_000 / size, 4),
            "families_named": sum(1 for n in hits.values() if n)}


def _city_baselines(docs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """city_terms, city_index, city_index_by_province and national_index: digital-governance attention in the
    work reports.

    Method: the terms of corpus/data/term_families.tsv (the state's own names of each policy, each with the
    document it is named after) are counted in the report's text as written (whitespace allowed between their
    characters); a family's value is its hits per 10,000 characters of the text. The attention index
    (`per_10k`) counts the hits of any family's term, each stretch of text once, per 10,000 characters;
    `families_named` is how many families the report names at all. Cities are ranked by the index (ties by
    families named, then name); beside each, the national report of the same year by the same method
    (`national_per_10k`) and the city's index relative to it. national_index is the same method over the
    national series (1954-2025), one row per report. city_index_by_province: per province, its reports, the
    median and mean index and its highest city, provinces by median."""
    families = [(f.family, _family_pattern(f.terms)) for f in term_families().itertuples(index=False)]
    anyterm = _family_pattern("|".join(term_families()["terms"]))
    local = local_reports(docs)
    measures = [family for family, _ in families]
    city_rows = [{**r, "characters": len(r["text"]), **_attention(r["text"], families, anyterm)}
                 for r in local.to_dict("records")]
    columns = ["doc_id", "city", "province", "administrative_level", "year", "characters"]
    city_terms = (pd.DataFrame(city_rows, columns=columns + measures + ["per_10k", "families_named"])
                  .sort_values(["province", "city", "doc_id"]).reset_index(drop=True))
    national = docs[(docs["status"] == "built") & (docs["genre"] == SERIES_GENRE) & (docs["issuer_level"] == "national")]
    national_rows = [{"year": _year(d.published), "doc_id": d.doc_id, "characters": len(d.text),
                      **{k: v for k, v in _attention(d.text, families, anyterm).items() if k not in measures}}
                     for d in national.itertuples(index=False) if _year(d.published) is not None]
    national_index = (pd.DataFrame(national_rows, columns=["year", "doc_id", "characters", "per_10k", "families_named"])
                      .sort_values(["year", "doc_id"]).reset_index(drop=True))
    by_year = national_index.groupby("year")["per_10k"].mean()
    index = city_terms[columns + ["per_10k", "families_named"]].sort_values(
        ["per_10k", "families_named", "city", "doc_id"], ascending=[False, False, True, True]).reset_index(drop=True)
    index.insert(0, "rank", index["per_10k"].rank(method="min", ascending=False).astype("int64"))
    index["national_per_10k"] = index["year"].map(by_year).round(4)
    index["relative_to_national"] = (index["per_10k"] / index["national_per_10k"]).round(4)
    top = index.drop_duplicates("province")[["province", "city", "per_10k"]]  # the index is sorted: each province's first
    by_province = (index.groupby("province")["per_10k"].agg(reports="size", median_per_10k="median", mean_per_10k="mean")
                   .round(4).reset_index()
                   .merge(top.rename(columns={"city": "top_city", "per_10k": "top_per_10k"}), on="province")
                   .sort_values(["median_per_10k", "province"], ascending=[False, True]).reset_index(drop=True))
    return {"city_terms": city_terms, "city_index": index, "national_index": national_index,
            "city_index_by_province": by_province}


def compute(tables: dict[str, pd.DataFrame], layers=()) -> dict[str, pd.DataFrame]:
    """Every baseline that the tables allow, as DataFrames keyed by name (see BASELINES), and those of the
    registered `layers` (pipeline/layers.LAYERS) whose tables are here."""
    t = tables
    out = {"composition": _composition(t)}
    docs = t["documents"]
    if "genre" in docs and docs["genre"].notna().any():  # releases before 0.2.0 record no genre or issuer
        out["collection"] = _collection(docs)
        out["document_topics"], out["diffusion"], out["diffusion_by_province"] = _diffusion(docs)
        if "published_date" in docs and docs["published_date"].notna().any():  # typed since 0.3.0 (null before)
            out["collection_by_decade"] = _collection_by_decade(docs)
        if (docs["genre"] == SERIES_GENRE).any():
            out["term_series"] = _term_series(docs)
            out["term_family_definitions"] = term_families()[["family", "label", "terms", "source"]]
            if ((docs["genre"] == SERIES_GENRE) & docs["issuer_level"].isin(_LOCAL)).any():
                out.update(_city_baselines(docs))
    if "paragraphs" in t:
        # `und` and `und-<Script>` (too short or too unsure to tell) are counted apart from the languages told.
        languages = (t["paragraphs"].groupby("language").size().rename("paragraphs").reset_index()
                     .sort_values("language").reset_index(drop=True))
        languages["determined"] = ~languages["language"].str.startswith("und")
        out["languages"] = languages
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
    for layer in layers:  # the registered layers' own baselines, where their tables are here
        if layer.baselines is not None and all(name in t for name in layer.produces):
            out.update(layer.baselines(t))
    return out


def card_tables(baselines: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The small tables the data card shows for the official documents, derived from the baselines only.

    collection: one row per dimension (genre, language, year, issuer_level) and value, with documents.
    collection_by_decade: one row per genre and issuer level, one column per decade of `published`.
    term_series: one row per term family, one column per decade: the mean per_10k of that decade's reports.
    diffusion: per topic, its first year, documents, and the jurisdictions that had adopted by the last year
    at each level (national counts documents, being one jurisdiction), and the provinces reached at any level.
    """
    out = {}
    if "collection" in baselines:
        out["collection"] = baselines["collection"]
    if "diffusion" in baselines and "diffusion_by_province" in baselines:
        diffusion, by_province = baselines["diffusion"], baselines["diffusion_by_province"]
        last = diffusion.groupby(["topic", "issuer_level"]).tail(1)
        rows = []
        for topic, label in zip(_topics()["topic"], _topics()["label"]):
            mine = last[last["topic"] == topic].set_index("issuer_level")
            if mine.empty:
                continue
            row = {"topic": label, "first_year": int(diffusion.loc[diffusion["topic"] == topic, "year"].min()),
                   "documents": int(mine["cumulative_documents"].sum())}
            for level in _OFFICIAL:
                measure = "cumulative_documents" if level == "national" else "cumulative_jurisdictions"
                row[level] = int(mine[measure].get(level, 0))
            row["provinces"] = int((by_province["topic"] == topic).sum())
            rows.append(row)
        out["diffusion"] = pd.DataFrame(rows)
    if "collection_by_decade" in baselines:
        by = baselines["collection_by_decade"]
        out["collection_by_decade"] = (by.pivot_table(index=["genre", "issuer_level"], columns="decade",
                                                      values="documents", aggfunc="sum", fill_value=0)
                                       .reset_index().rename_axis(columns=None))
    if "term_series" in baselines and len(baselines["term_series"]):
        series = baselines["term_series"]
        series = series.assign(decade=series["year"] // 10 * 10)
        labels = dict(zip(term_families()["family"], term_families()["label"]))
        table = (series.groupby(["family", "decade"])["per_10k"].mean().round(2).unstack(fill_value=0)
                 .reindex(list(labels)).fillna(0))
        table.columns = [f"{c}s" for c in table.columns]
        out["term_series"] = table.rename(index=labels).rename_axis("family").reset_index()
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """The CSV text of a baseline: fixed line ends and float format, so it compares byte for byte."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")
