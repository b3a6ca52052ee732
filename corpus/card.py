"""The data card (`README.md` of a release): Hugging Face YAML and the package's card template
(corpus/data/card_template.md), whose `<!-- begin:BLOCK -->` blocks are filled from the corpus configuration,
the release's tables and baselines, and each registered layer's own card blocks (`Layer.card`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .baselines import card_tables, term_families
from .card_sections import release_blocks
from .manifest import table_files
from .metadata import hf_card_header, spdx_url
from .quality import quality_card

__all__ = ["card", "card_template", "render_card", "md_table", "failures_card"]

_BLOCK = re.compile(r"(<!-- begin:(\w+) -->\n).*?(<!-- end:\2 -->)", re.S)


def card(desc, tables: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame],
         figures: dict[str, tuple[bytes, str]], manifest: dict, files: dict[str, dict], digest: str, layers) -> str:
    """The card's text: YAML header, then the template with every block filled. `manifest` holds the
    config, tools and tables of the release; `files` every file written so far; `digest` the line naming
    the manifest's digest; `layers` the registered layers in build order (pipeline/layers.py)."""
    blocks = {**_corpus_blocks(desc, manifest["config"]["corpus"]["card"]),
              **_generated_blocks(tables, baselines, figures, manifest, layers),
              **release_blocks(desc, tables, manifest, files), "integrity": digest + "\n"}
    return hf_card_header(desc, manifest["tables"], files) + render_card(card_template(), blocks)


def card_template() -> str:
    """The package's card template: generic text about the pipeline, with a block for each generated part."""
    return (Path(__file__).resolve().parent / "data" / "card_template.md").read_text(encoding="utf-8")


def md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_none_\n"
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join("" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                     else str(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |")
    return "\n".join(out) + "\n"


def _figure_block(figures: dict[str, tuple[bytes, str]]) -> str:
    return "".join(f"![{caption}](figures/{name})\n\n*{caption}*\n\n" for name, (_, caption) in figures.items())


# The card's sections about a corpus's official documents, each with the figure it shows: (block, heading,
# figure, text before the tables). A corpus whose documents record no genre or issuer has none of them.
_COLLECTION_DIMENSIONS = {"genre": "genre", "language": "language", "year": "year of the version", "issuer_level":
                          "issuer's level"}
_DIFFUSION_TEXT = ("Per topic: the first year of adoption, the documents taking it up, how many jurisdictions had "
                   "adopted it by the last year at each level of issuer (for the national level: documents), and "
                   "the provinces reached at any level (`baselines/diffusion.csv`, "
                   "`baselines/diffusion_by_province.csv`).\n\n")


def _collection_block(collection: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    parts = ["### Collection\n\nBuilt documents by " + ", ".join(_COLLECTION_DIMENSIONS.values())
             + " (`baselines/collection.csv`; `unknown` where the document's row records none).\n\n"]
    parts.append(_figure_block({n: f for n, f in figures.items() if n == "documents_by_genre.png"}))
    for dimension, label in _COLLECTION_DIMENSIONS.items():
        rows = collection.loc[collection["dimension"] == dimension, ["value", "documents"]]
        if len(rows):
            parts.append(f"By {label}:\n\n" + md_table(rows.rename(columns={"value": dimension})) + "\n")
    return "".join(parts)


def _diffusion_block(diffusion: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    return ("### Policy diffusion\n\n" + _figure_block({n: f for n, f in figures.items() if n == "policy_diffusion.png"})
            + _DIFFUSION_TEXT + md_table(diffusion))


_TERM_SERIES_TEXT = ("Per term family, the mean hits per 10,000 characters of the decade's Government Work Reports "
                     "(`baselines/term_series.csv` has one row per report, year and family). Each family's terms "
                     "and the document its name comes from (corpus/data/term_families.tsv):\n\n")


def _term_series_block(series: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    return ("### Digital governance in the Government Work Reports, by year\n\n"
            + _figure_block({n: f for n, f in figures.items() if n == "term_series.png"}) + _TERM_SERIES_TEXT
            + md_table(term_families()[["label", "terms", "source"]]) + "\nBy decade:\n\n" + md_table(series))


_CITY_INDEX_SHOWN = 20  # the card shows the top of the ranking; baselines/city_index.csv has every city


def _city_index_block(index: pd.DataFrame, by_province: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    top = index.head(_CITY_INDEX_SHOWN)[["rank", "city", "province", "administrative_level", "year", "per_10k",
                                         "national_per_10k"]]
    return ("### Digital governance in the city work reports\n\n"
            + _figure_block({n: f for n, f in figures.items() if n == "city_index.png"})
            + "Hits of any term family's terms per 10,000 characters of each city's work report, each stretch of "
              "text counted once, beside the national report of the same year (`national_per_10k`); it counts the "
              "state's policy vocabulary in a report, not what a city did. The top of the ranking "
              "(`baselines/city_index.csv` has every city, `city_terms.csv` every city and family):\n\n"
            + md_table(top) + "\nBy province (`baselines/city_index_by_province.csv`):\n\n" + md_table(by_province))


def _decade_block(by_decade: pd.DataFrame) -> str:
    return ("### Genre, level and decade\n\nBuilt documents by genre, issuer's level and decade of `published` "
            "(the version's date for a regulation; `baselines/collection_by_decade.csv`):\n\n" + md_table(by_decade))


_NOT_STATED = "_Not stated in this corpus's configuration (`{}` in `corpus.toml`)._\n"


def _corpus_blocks(desc, prose: dict[str, str]) -> dict[str, str]:
    """The card's text about this corpus: its configuration's prose, or a note that it is not stated."""
    blocks = {name: (text.strip() + "\n" if text.strip() else _NOT_STATED.format(f"[card] {name}"))
              for name, text in prose.items()}
    about = [desc.description or _NOT_STATED.format("description").strip()]
    facts = [f"version {desc.version}"]
    if desc.authors:
        facts.append("by " + ", ".join(desc.authors))
    if desc.date:
        facts.append(f"published {desc.date}" + (" (the newest document's date)" if desc.date_source == "documents" else ""))
    if desc.homepage:
        facts.append(f"<{desc.homepage}>")
    blocks["title"] = f"# {desc.pretty_name} — data card\n"
    blocks["about"] = "\n\n".join(about + ["This release: " + "; ".join(facts) + "."]) + "\n"
    blocks["citation"] = (f"Cite the version you used (`CITATION.cff` in this release has the details):\n\n> {desc.citation}\n")
    if desc.spdx:
        licence = f"The corpus is licensed [{desc.spdx}]({spdx_url(desc.spdx)})."
    elif desc.license_text:
        licence = f"Licence of the corpus: {desc.license_text}"
    else:
        licence = "The licence of the corpus is not stated in its configuration (`license` in `corpus.toml`)."
    stated = [lic for _, _, lic in desc.document_licenses]
    counts = (pd.Series([lic if lic else "(not stated)" for lic in stated], dtype=object).value_counts()
              .rename_axis("license").reset_index(name="documents")
              .sort_values(["documents", "license"], ascending=[False, True]))
    per_document = ("Per-document licence statements (`documents.license`, also in `datapackage.json`):\n\n"
                    + md_table(counts))
    blocks["licensing"] = licence + "\n\n" + per_document + (
        "\n" + prose["licensing"].strip() + "\n" if prose.get("licensing", "").strip() else "")
    return blocks


def _figure_blocks(baselines: dict[str, pd.DataFrame], figures: dict[str, tuple[bytes, str]]) -> dict[str, str]:
    """The card's collection and policy-diffusion sections, each with its figure, and the other figures:
    empty (no heading either) where the baselines have nothing for them."""
    shown = card_tables(baselines)
    blocks = {"collection": _collection_block(shown["collection"], figures) if "collection" in shown else "",
              "diffusion": _diffusion_block(shown["diffusion"], figures) if len(shown.get("diffusion", ())) else "",
              "term_series": _term_series_block(shown["term_series"], figures) if "term_series" in shown else "",
              "collection_by_decade": _decade_block(shown["collection_by_decade"])
              if "collection_by_decade" in shown else "",
              "city_index": _city_index_block(baselines["city_index"], baselines["city_index_by_province"], figures)
              if len(baselines.get("city_index", ())) and "city_index_by_province" in baselines else ""}
    placed = {"documents_by_genre.png"} if blocks["collection"] else set()
    placed |= {"city_index.png"} if blocks["city_index"] else set()
    placed |= {"policy_diffusion.png"} if blocks["diffusion"] else set()
    placed |= {"term_series.png"} if blocks["term_series"] else set()
    other = {n: f for n, f in figures.items() if n not in placed}
    blocks["figures"] = "### Figures\n\n" + _figure_block(other) if other else ""
    return blocks


def _generated_blocks(tables: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame],
                      figures: dict[str, tuple[bytes, str]], manifest: dict, layers) -> dict[str, str]:
    """The card's generated text: every number comes from the tables and the baselines of this release."""
    docs = tables["documents"]
    config = {**manifest["config"], "corpus": {k: v for k, v in manifest["config"]["corpus"].items() if k != "card"}}
    counts = pd.DataFrame({"table": list(manifest["tables"]),
                           "rows": [sum(manifest["files"][f]["rows"] for f in table_files(manifest["files"], t))
                                    for t in manifest["tables"]]})
    status = docs.groupby("status").size().rename("documents").reset_index()
    blocks = {
        "composition": ("Rows per table:\n\n" + md_table(counts) + "\nDocuments by status:\n\n" + md_table(status)
                        + "\nPer document (`baselines/composition.csv`):\n\n" + md_table(baselines["composition"])),
        "documents": md_table(docs[["doc_id", "source_file", "title", "authors", "publisher", "published",
                                     "license", "status", "language"]
                                    + [c for c in ("genre", "issuer_level") if docs[c].notna().any()]]),
        "tools": "```json\n" + json.dumps({"tools": manifest["tools"], "config": config},
                                          indent=2, ensure_ascii=False) + "\n```\n",
        **_figure_blocks(baselines, figures),
    }
    blocks["failures"] = failures_card(tables, layers)
    blocks["quality"] = quality_card(tables["documents"], md_table)
    in_template, others = set(m.group(2) for m in _BLOCK.finditer(card_template())), []
    for layer in layers:  # each layer's own blocks, where it has any and was built
        if layer.card is not None and all(t in tables for t in layer.produces):
            for name, text in layer.card(tables, baselines).items():
                if name in in_template:
                    blocks[name] = text
                else:
                    others.append(f"### {name}\n\n{text}\n")
    # the layers registered beyond those the template knows (their tables are described in schema/)
    blocks["layers"] = "### Other layers\n\n" + "\n".join(others) if others else ""
    return blocks


def failures_card(tables: dict[str, pd.DataFrame], layers) -> str:
    failures = tables.get("failures")
    if failures is None or failures.empty:
        return "None: every layer ran on every document.\n"
    per_layer = failures.groupby("layer", sort=False)["doc_id"].nunique()
    order = [x.name for x in layers if x.name in per_layer.index]
    return (f"{failures['doc_id'].nunique()} document(s) failed in at least one layer. Documents per layer:\n\n"
            + md_table(pd.DataFrame({"layer": order, "documents": [int(per_layer[n]) for n in order]})))












def render_card(template: str, blocks: dict[str, str]) -> str:
    """Fill the `<!-- begin:NAME -->…<!-- end:NAME -->` blocks of the card with generated text."""
    return _BLOCK.sub(lambda m: m.group(1) + blocks.get(m.group(2), "_not built in this release_\n") + m.group(3), template)

