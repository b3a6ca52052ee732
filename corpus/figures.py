"""Figures for the data card, rendered from the baselines as PNG bytes (matplotlib, Agg backend).

Each figure has a caption saying what it shows and how it was computed. Rendering is deterministic:
no timestamps or software tags are written into the PNG.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from .baselines import _topics, term_families
from .divisions import short_form
from .errors import MissingExtraError

__all__ = ["figures"]


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def _bar(series: pd.Series, title: str, xlabel: str):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.35 * max(1, len(series))))
    ax.barh([str(i) for i in series.index][::-1], list(series.values)[::-1], color="#4c72b0")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _diffusion(diffusion: pd.DataFrame):
    """Cumulative adoption per topic over the years, one panel per issuer level: jurisdictions for provinces,
    prefectures and counties; documents for the national level, which is one jurisdiction."""
    import matplotlib.pyplot as plt


    labels = {t: label.split(" (")[0] for t, label in zip(_topics()["topic"], _topics()["label"])}
    levels = [l for l in ("national", "provincial", "prefectural", "county") if l in set(diffusion["issuer_level"])]
    first, last = int(diffusion["year"].min()), int(diffusion["year"].max())
    fig, axes = plt.subplots(1, len(levels), figsize=(4 * len(levels), 3.6), sharey=False, squeeze=False)
    for ax, level in zip(axes[0], levels):
        part = diffusion[diffusion["issuer_level"] == level]
        measure = "cumulative_documents" if level == "national" else "cumulative_jurisdictions"
        for n, topic in enumerate(labels):
            rows = part[part["topic"] == topic]
            if len(rows):
                years = [first] + list(rows["year"]) + [last]
                counts = [0] + list(rows[measure]) + [int(rows[measure].iloc[-1])]
                ax.step(years, counts, where="post", color=f"C{n}", label=labels[topic])
        ax.set_title(f"{level} issuers")
        ax.set_xlabel("year")
        ax.set_ylabel("documents" if level == "national" else "jurisdictions that have adopted")
        ax.yaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles = {}  # one legend entry per topic, whichever panel drew it
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    ordered = [label for label in labels.values() if label in handles]
    fig.legend([handles[label] for label in ordered], ordered, loc="lower center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, -0.2))
    return fig


def _term_series(series: pd.DataFrame):
    """Hits per 10,000 characters of each Government Work Report, per term family, by year (one line each)."""
    import matplotlib.pyplot as plt


    fig, ax = plt.subplots(figsize=(9, 4))
    for n, (family, label) in enumerate(zip(term_families()["family"], term_families()["label"])):
        rows = series[series["family"] == family].groupby("year")["per_10k"].mean()
        # the English half of the label: the default fonts have no Han glyphs
        ax.plot(list(rows.index), list(rows.values), color=f"C{n}", marker=".", linewidth=1, label=label.split(" (")[0])
    ax.set_xlabel("year of the report")
    ax.set_ylabel("hits per 10,000 characters")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(loc="lower center", ncol=4, frameon=False, bbox_to_anchor=(0.5, -0.2), fontsize="small")
    return fig


def _reuse_edges(edges: pd.DataFrame):
    """Issuers (a document without one by its doc_id; issuers by level) against the year of their documents'
    dates: an arrow from each document to each later one sharing its passages, as wide as the share of the later
    text; a red line without a head where the dates tie; documents without a date are left out (the CSV lists them)."""
    import matplotlib.pyplot as plt

    edges = edges[edges["source_year"].notna() & edges["target_year"].notna()]
    levels = ("national", "provincial", "prefectural", "county")
    rows = {}
    for side in ("source", "target"):
        issuers = [i if isinstance(i, str) else d for i, d in zip(edges[f"{side}_issuer"], edges[f"{side}_doc_id"])]
        edges = edges.assign(**{f"{side}_row": issuers})
        for issuer, level in zip(issuers, edges[f"{side}_level"]):
            rows[issuer] = levels.index(level) if isinstance(level, str) and level in levels else len(levels)
    order = sorted(rows, key=lambda r: (rows[r], r))
    y = {row: k for k, row in enumerate(order)}
    fig, ax = plt.subplots(figsize=(7, 1 + 0.3 * max(1, len(order))))
    for e in edges.itertuples(index=False):
        tie = e.order != "earlier_to_later"
        ax.annotate("", xy=(e.target_year, y[e.target_row]), xytext=(e.source_year, y[e.source_row]),
                    arrowprops={"arrowstyle": "-" if tie else "->", "color": "#c44e52" if tie else "#4c72b0",
                                "lw": 0.5 + 3 * float(e.share_of_target)})
    ax.scatter(list(edges["source_year"]) + list(edges["target_year"]),
               [y[r] for r in list(edges["source_row"]) + list(edges["target_row"])], s=12, color="k")
    from pypinyin import lazy_pinyin

    # in pinyin: the renderer's fonts may have no Chinese glyphs
    ax.set_yticks(range(len(order)), ["".join(w.capitalize() for w in lazy_pinyin(r))[:32] for r in order], fontsize=7)
    ax.set_xlabel("year of the document's date")
    ax.set_title("Text reuse between documents")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _pinyin(name: str) -> str:
    """A Chinese place name in pinyin, its level suffix and ethnic designation dropped (杭州市 → Hangzhou,
    凉山彝族自治州 → Liangshanzhou): the renderer's fonts may have no Chinese glyphs."""
    from pypinyin import lazy_pinyin

    short = re.sub(r"(?:市|盟|地区|省|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", short_form(name))
    return "".join(lazy_pinyin(short)).capitalize()


def _city_index(index: pd.DataFrame):
    """One bar per city report, grouped by province (provinces by their median index, highest first; cities by
    index within each), provinces told apart by colour, the national reports of the cities' years as lines."""
    import matplotlib.pyplot as plt

    medians = index.groupby("province")["per_10k"].median()
    provinces = sorted(medians.index, key=lambda p: (-medians[p], p))
    parts = [index[index["province"] == p].sort_values(["per_10k", "city"], ascending=[False, True]) for p in provinces]
    ordered = pd.concat(parts, ignore_index=True)
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.13 * len(ordered)))
    y = list(range(len(ordered)))[::-1]
    colours = {p: f"C{n % 10}" for n, p in enumerate(provinces)}
    ax.barh(y, ordered["per_10k"], color=[colours[p] for p in ordered["province"]], height=0.8)
    ax.set_yticks(y, [_pinyin(c) for c in ordered["city"]], fontsize=5)
    at = 0
    for province, part in zip(provinces, parts):  # the province's name beside its group
        middle = y[at + (len(part) - 1) // 2]
        ax.text(ordered["per_10k"].max() * 1.02, middle, _pinyin(province), fontsize=6, va="center",
                color=colours[province])
        at += len(part)
    national = index.dropna(subset=["national_per_10k"]).groupby("year")["national_per_10k"].first()
    for n, (year, value) in enumerate(national.items()):
        ax.axvline(value, color="k", linestyle=("--", ":", "-.")[n % 3], linewidth=0.8,
                   label=f"national report {year}: {value:.1f}")
    ax.set_ylim(-1, len(ordered))
    ax.set_xlabel("digital-governance terms per 10,000 characters")
    ax.set_title("Digital-governance attention in city government work reports, by province")
    if len(national):
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / len(ordered) ** 0.5), fontsize=7, frameon=False,
                  ncol=len(national))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def figures(baselines: dict[str, pd.DataFrame]) -> dict[str, tuple[bytes, str]]:
    """{file name: (PNG bytes, caption)} for the baselines present."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.hashsalt"] = "corpus"
    except ImportError:
        raise MissingExtraError("matplotlib", "build", "The data card's figures") from None
    out = {}
    if "diffusion" in baselines and len(baselines["diffusion"]):
        out["policy_diffusion.png"] = (_png(_diffusion(baselines["diffusion"])),
            "Policy diffusion: cumulative number of jurisdictions (provinces, prefectures; for the national level, of "
            "documents) whose documents take up each topic, by year of first adoption (the "
            "earliest dated event in the text's header, else its version's date) and the issuer's level "
            "(`baselines/diffusion.csv`; topics from title and text terms in corpus/data/topics.tsv; level and "
            "province from the issuer's name).")
    if "term_series" in baselines and len(baselines["term_series"]):
        out["term_series.png"] = (_png(_term_series(baselines["term_series"])),
            "Attention to digital governance in the Government Work Reports: hits of each term family per 10,000 "
            "characters of the year's report (`baselines/term_series.csv`; families and the documents their terms "
            "are named after in corpus/data/term_families.tsv). Years without a report in the corpus have no point.")
    if "city_index" in baselines and len(baselines["city_index"]):
        index = baselines["city_index"]
        top = ", ".join(f"{r.city} {r.per_10k:.1f}" for r in index.head(10).itertuples(index=False))
        out["city_index.png"] = (_png(_city_index(index)),
            f"Digital-governance attention in {len(index)} local government work reports: hits of any term of the "
            "families in corpus/data/term_families.tsv per 10,000 characters of the report (each stretch of text "
            "counted once), one bar per report, grouped by province (provinces by their median, highest first; "
            "names in pinyin); the vertical lines are the national reports of the cities' years by the same method "
            f"(`baselines/city_index.csv`, `baselines/city_terms.csv` per family, `baselines/national_index.csv` "
            f"for 1954-2025). Top ten: {top}.")
    if "reuse_diffusion" in baselines and baselines["reuse_diffusion"]["source_year"].notna().any():
        out["reuse_diffusion.png"] = (_png(_reuse_edges(baselines["reuse_diffusion"])),
            "Text reuse between documents, by issuer: an arrow from a document to a later one that shares its passages "
            "(aligned articles, paragraphs; the `reuse` table, places, bodies, dates and numbers masked), as wide "
            "as the share of the later text; a red line where the dates tie (order unknown); dates from the "
            "metadata, else the adoption the text's header states; documents without a date are only in "
            "`baselines/reuse_diffusion.csv`; issuers in pinyin.")
    if "collection" in baselines:
        c = baselines["collection"]
        s = c[c["dimension"] == "genre"].set_index("value")["documents"].sort_values(ascending=False)
        out["documents_by_genre.png"] = (_png(_bar(s, "Built documents by genre", "documents")),
            "Built documents by genre (`baselines/collection.csv`; genre from sources.toml).")
    if "languages" in baselines:
        languages = baselines["languages"]
        told = ~languages["language"].str.startswith("und")
        s = languages[told].set_index("language")["paragraphs"]
        out["paragraphs_by_language.png"] = (_png(_bar(s, "Paragraphs by language", "paragraphs")),
            "Paragraphs of built documents by detected language (`baselines/languages.csv`; Unicode script for "
            "Han, kana and Hangul, else lingua and seeded langdetect averaged); the "
            f"{int(languages.loc[~told, 'paragraphs'].sum())} paragraphs too short or too unsure to tell "
            "(`und`, `und-<Script>`) are left out.")
    if "entity_labels" in baselines:
        s = baselines["entity_labels"].groupby("label")["entities"].sum().sort_values(ascending=False)
        out["entity_labels.png"] = (_png(_bar(s, "Entities by label", "entities")),
            "Named entities by label, all built documents: spaCy on English sentences; on Chinese runs the shipped character CRF "
            "(corpus/models/ner-zh/) and the gazetteer corpus/pipeline/data/zh_entities.tsv.")
    if "sources_by_kind" in baselines and "sources" in baselines:
        kinds = baselines["sources_by_kind"].groupby("container_kind")["works"].sum().sort_values(ascending=False)
        out["citations_by_container.png"] = (_png(_bar(kinds, "Cited works by kind of container", "works")),
            "Works cited in notes (references of kind 'source'), by the kind of outlet or publisher "
            "(corpus/data/container_kinds.tsv, then name rules).")
        lang = baselines["sources"][["chinese_titles", "english_titles", "untitled"]].sum()
        out["citations_by_language.png"] = (_png(_bar(lang, "Cited works by title language", "works")),
            "Works cited in notes by the language of their title (Han script share decides Chinese).")
    if "duplicate_clusters" in baselines and len(baselines["duplicate_clusters"]):
        s = baselines["duplicate_clusters"].set_index("relation")["copies"]
        out["duplicate_clusters.png"] = (_png(_bar(s, "Duplicate copies by relation", "copies")),
            "Non-canonical copies by their relation to the canonical copy of their cluster (exact, near, spun).")
    return out
