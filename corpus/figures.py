"""Figures for the data card, rendered from the baselines as PNG bytes (matplotlib, Agg backend).

Each figure has a caption saying what it shows and how it was computed. Rendering is deterministic:
no timestamps or software tags are written into the PNG.
"""

from __future__ import annotations

import io

import pandas as pd

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


def figures(baselines: dict[str, pd.DataFrame]) -> dict[str, tuple[bytes, str]]:
    """{file name: (PNG bytes, caption)} for the baselines present."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.hashsalt"] = "corpus"
    except ImportError:
        raise MissingExtraError("matplotlib", "build", "The data card's figures") from None
    out = {}
    if "languages" in baselines:
        s = baselines["languages"].set_index("language")["paragraphs"]
        out["paragraphs_by_language.png"] = (_png(_bar(s, "Paragraphs by language", "paragraphs")),
            "Paragraphs of built documents by detected language (script rules, then seeded langdetect).")
    if "entity_labels" in baselines:
        s = baselines["entity_labels"].groupby("label")["entities"].sum().sort_values(ascending=False)
        out["entity_labels.png"] = (_png(_bar(s, "Entities by label", "entities")),
            "Named entities by label, all built documents: spaCy on English sentences, dictionary/rules/jieba on Chinese runs.")
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
