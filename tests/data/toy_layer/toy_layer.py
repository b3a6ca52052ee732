"""A toy annotation layer as someone adding one writes it: this module and its schema (toy.json beside it),
nothing else of the package. It counts the characters of each paragraph."""

from corpus.pipeline.layer import Layer, Mark, SiteMarks
from corpus.tables import frame


def toy(paragraphs):
    """One row per paragraph: paragraph_id, doc_id, char_start, char_end, chars."""
    return frame("toy", [{"paragraph_id": p, "doc_id": d, "char_start": s, "char_end": e, "chars": e - s}
                         for p, d, s, e in zip(paragraphs["paragraph_id"], paragraphs["doc_id"],
                                               paragraphs["char_start"], paragraphs["char_end"])])


def _run(tables, config):
    return {"toy": toy(tables["paragraphs"])}


def _card(tables, baselines):
    return {"toy": f"{len(tables['toy'])} paragraphs counted; {int(baselines['toy_sizes']['chars'].sum())} characters.\n"}


def _baselines(tables):
    return {"toy_sizes": tables["toy"].groupby("doc_id", as_index=False)["chars"].sum()}


def _figures(baselines):
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = baselines["toy_sizes"]
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(range(len(sizes)), sizes["chars"])
    ax.set_ylabel("characters")
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    plt.close(fig)
    return {"toy_sizes.png": (out.getvalue(), "Characters per document")}


def _marks(doc_id, by_doc, titles):
    return [Mark(r["char_start"], r["char_end"], "span", (("class", "toy"), ("data-chars", r["chars"])), rank=6)
            for r in by_doc["toy"].get(doc_id, ())]


LAYER = Layer("toy", needs=("paragraphs",), produces=("toy",), run=_run, tools=lambda: {"toy-tool": "1"},
              card=_card, baselines=_baselines, figures=_figures, site=(SiteMarks("toy", None, _marks, ("toy", "Paragraph lengths")),))
