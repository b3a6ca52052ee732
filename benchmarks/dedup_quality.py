"""Pairwise precision and recall of the dedup stage on ../shared/bench/dedup-dev (truth.json maps each
file to its cluster). Prints the figures and every false merge and miss.

    python benchmarks/dedup_quality.py [DIR]
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

from corpus.config import BuildConfig
from corpus.executor import build

ROOT = Path(__file__).resolve().parents[1]


def pairs(groups: dict[str, str]) -> set[frozenset]:
    by = {}
    for f, c in groups.items():
        by.setdefault(c, []).append(f)
    return {frozenset(p) for members in by.values() for p in itertools.combinations(sorted(members), 2)}


def main() -> None:
    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "dedup-dev"
    truth = json.loads((dev / "truth.json").read_text())
    out = ROOT / "build" / "bench" / "dedup-quality"
    shutil.rmtree(out, ignore_errors=True)
    result = build(BuildConfig(sources=dev / "sources", out=out, version="0.0.1", until="dedup"))
    docs, dup = result.tables["documents"], result.tables["duplicates"]
    file_of = dict(zip(docs["doc_id"], docs["source_file"]))
    predicted = {f: f for f in docs["source_file"]}
    predicted.update({file_of[d]: c for d, c in zip(dup["doc_id"], dup["cluster_id"])})
    want, got = pairs(truth), pairs(predicted)
    tp = len(want & got)
    precision = tp / len(got) if got else 1.0
    recall = tp / len(want) if want else 1.0
    print(f"documents: {len(docs)}; true pairs: {len(want)}; predicted pairs: {len(got)}")
    print(f"pairwise precision: {precision:.3f}  recall: {recall:.3f}  (target >= 0.95 each)")
    for p in sorted(got - want, key=sorted):
        print("false merge:", *sorted(p))
    for p in sorted(want - got, key=sorted):
        print("missed:", *sorted(p))


if __name__ == "__main__":
    main()
