import random

import pandas as pd

from corpus.pipeline.dedup import dedup, verify_pair
from corpus.tables import frame

WORDS = ("state party grid governance data code health police city county village residents officials platform "
         "surveillance market bank protest media court law province campaign network village cadre report").split()


def article(seed: int, n: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + ("." if rng.random() < 0.08 else "") for _ in range(n))


def spin(text: str, seed: int) -> str:
    rng = random.Random(seed)
    synonyms = {"state": "nation", "party": "occasion", "data": "information", "code": "cipher", "city": "metropolis",
                "officials": "authorities", "market": "marketplace", "protest": "demonstration", "law": "statute"}
    return " ".join(synonyms.get(w, w) if rng.random() < 0.7 else w for w in text.split())


def docs(texts: dict[str, str], metadata: dict[str, dict] | None = None) -> pd.DataFrame:
    rows = [{"doc_id": k, "source_file": f"{k}.txt", "text": t, "status": "built", "title": k, "boilerplate_lines": 0,
             **(metadata or {}).get(k, {})} for k, t in texts.items()]
    return frame("documents", rows)


def test_each_relation_on_small_texts():
    a = article(1)
    assert verify_pair(a, a.replace(" ", "\n", 30))[0] == "exact"
    assert verify_pair(a, "Posted by admin. " + a + " Share this article.")[0] == "near"
    assert verify_pair(a, spin(a, 2))[0] == "spun"
    assert verify_pair(a, article(3))[0] is None


def test_formulaic_short_texts_with_other_numbers_are_not_copies():
    a = "Qtly div 65 cts vs 65 cts prior. Pay May 7. Record April 7."
    b = "Qtly div 18 cts vs 15 cts prior. Pay July 30. Record July 10."
    assert verify_pair(a, b)[0] is None


def test_clusters_are_transitive_and_every_document_is_accounted_for():
    a = article(1)
    texts = {"d1": a, "d2": a.replace("\n", " "), "d3": spin(a, 5), "d4": article(9), "d5": article(10)}
    documents, duplicates = dedup(docs(texts, {"d3": {"authors": "X", "publisher": "Y"}}))
    assert len(documents) == 5
    assert set(duplicates["doc_id"]) == {"d1", "d2", "d3"}
    assert duplicates["cluster_id"].nunique() == 1
    # the copy with the most metadata is canonical; the others point at it
    assert set(duplicates["canonical_doc_id"]) == {"d3"}
    status = dict(zip(documents["doc_id"], documents["status"]))
    assert status == {"d1": "duplicate", "d2": "duplicate", "d3": "built", "d4": "built", "d5": "built"}
    assert duplicates.loc[duplicates["doc_id"] == "d1", "relation"].item() == "spun"


def test_cluster_ids_and_canonical_choice_are_deterministic():
    a = article(4)
    texts = {"b": a, "a": spin(a, 1), "c": a}
    first = dedup(docs(texts))[1]
    second = dedup(docs(dict(reversed(list(texts.items())))))[1]
    key = ["doc_id"]
    pd.testing.assert_frame_equal(first.sort_values(key).reset_index(drop=True), second.sort_values(key).reset_index(drop=True))
    assert set(first["cluster_id"]) == {"ca"}


def test_distinct_articles_sharing_a_long_preamble_stay_apart():
    preamble = article(100, 250)
    texts = {"x": preamble + " " + article(11, 600), "y": preamble + " " + article(12, 600)}
    documents, duplicates = dedup(docs(texts))
    assert duplicates.empty
    assert set(documents["status"]) == {"built"}


def test_seed_spun_copy_is_found(seed_release):
    documents = pd.read_parquet(seed_release / "documents.parquet")
    by_file = {f[:3]: r for f, r in zip(documents["source_file"], documents.to_dict("records"))}
    assert by_file["000"]["status"] == "duplicate"
    assert by_file["000"]["duplicate_of"] == by_file["001"]["doc_id"]
    assert by_file["002"]["status"] == by_file["003"]["status"] == by_file["001"]["status"] == "built"
    duplicates = pd.read_parquet(seed_release / "duplicates.parquet")
    assert duplicates.set_index("doc_id").loc[by_file["000"]["doc_id"], "relation"] == "spun"
