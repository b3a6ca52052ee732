"""Dedup at corpus scale: the whole `corpus build --until dedup` command (a fresh process: start-up,
ingest, clean, dedup, publish) on all 19,043 Reuters-21578 stories, against the peer a user would
otherwise pick (datasketch MinHash LSH on its documented fast path: `MinHash.bulk`, 128 permutations,
word 5-grams, an insertion session), and the dedup stage itself against rensa alone (signing and
banding), all on the same files in the same run. Prints the times, both ratios, each part of ours, the
build's peak RSS (and per 10,000 documents), and whether every group of re-sent identical bodies was found.

    python benchmarks/dedup.py [--limit N]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

from corpus.load import read_table, table_paths  # noqa: E402


def _shingles(folder: Path) -> tuple[list[str], list[list[bytes]]]:
    """(file names, word 5-grams of each file): what either peer would hash."""
    names, shingles = [], []
    for path in sorted(folder.glob("*.txt")):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        names.append(path.name)
        shingles.append(list({" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))}))
    return names, shingles


def _clusters(names: list[str], pairs) -> int:
    """Groups of 2+ files joined by the candidate pairs (index pairs)."""
    parent = list(range(len(names)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(i)] = find(j)
    sizes = Counter(find(i) for i in range(len(names)))
    return sum(1 for n in sizes.values() if n > 1)


def datasketch_peer(folder: Path) -> tuple[float, float, int]:
    """datasketch MinHash LSH as its documentation recommends for many documents (`MinHash.bulk`, 128
    permutations, an `insertion_session`), each document then queried; (seconds, CPU seconds, clusters)."""
    from datasketch import MinHash, MinHashLSH

    start, cpu = time.perf_counter(), time.process_time()
    names, shingles = _shingles(folder)
    hashes = MinHash.bulk(shingles, num_perm=128)
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    with lsh.insertion_session() as session:
        for i, m in enumerate(hashes):
            session.insert(i, m, check_duplication=False)
    pairs = [(i, j) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i]
    clusters = _clusters(names, pairs)
    return time.perf_counter() - start, time.process_time() - cpu, clusters


def rensa_peer(folder: Path) -> tuple[float, float, int]:
    """rensa alone, signing and banding: one digest matrix (R-MinHash, 128 permutations) and its LSH
    duplicate flags (16 bands); (seconds, CPU seconds, documents flagged as having a copy). The files are
    read and shingled before the clock starts: this is the part dedup's own stage is compared with."""
    from rensa import RMinHash, RMinHashLSH

    names, shingles = _shingles(folder)
    start, cpu = time.perf_counter(), time.process_time()
    matrix = RMinHash.digest_matrix_from_token_sets(shingles, num_perm=128, seed=42)
    flags = RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16).insert_matrix_and_query_duplicate_flags(matrix, 0)
    return time.perf_counter() - start, time.process_time() - cpu, sum(flags)


def resent_groups(rows: list[dict]) -> list[set[str]]:
    groups = defaultdict(set)
    for r in rows:
        groups[" ".join(r["body"].split())].add(f"{r['id']:05d}.txt")
    return [g for g in groups.values() if len(g) > 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N stories")
    args = parser.parse_args()
    rows = stories(args.limit)
    folder = expand(ROOT / "build" / "bench" / ("reuters" if not args.limit else f"reuters-{args.limit}"), rows)
    out = ROOT / "build" / "bench" / "dedup-out"
    shutil.rmtree(out, ignore_errors=True)

    start = time.perf_counter()
    command = [sys.executable, "-m", "corpus.cli", "build", "--sources", str(folder), "--out", str(out),
               "--version", "0.0.1", "--until", "dedup"]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    ours = time.perf_counter() - start
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours_cpu, peak_mb = child.ru_utime + child.ru_stime, child.ru_maxrss / 1024  # KiB on Linux
    peer_seconds, peer_cpu, peer_clusters = datasketch_peer(folder)
    rensa_seconds, rensa_cpu, rensa_flagged = rensa_peer(folder)

    timed = re.search(r"^stages \(time\): (.*)$", run.stdout, re.M).group(1)
    stages = {name: float(seconds) for name, seconds in re.findall(r"(\w+) ([\d.]+)s", timed)}
    passes = re.search(r"^peak RSS of this process after: (.*)$", run.stdout, re.M).group(1)
    staged = sum(stages.values())
    release = out / "scratch" / "0.0.1-until-dedup"  # a partial build is a scratch folder, not a release
    dup = read_table(table_paths(release, "duplicates"), "duplicates")
    docs = read_table(table_paths(release, "documents"), "documents")
    cluster_of = {f: None for f in docs["source_file"]}
    by_id = dict(zip(docs["doc_id"], docs["source_file"]))
    for cid, did in zip(dup["cluster_id"], dup["doc_id"]):
        cluster_of[by_id[did]] = cid
    groups = resent_groups(rows)
    found = sum(1 for g in groups if len({cluster_of[f] for f in g}) == 1 and cluster_of[next(iter(g))] is not None)
    relations = dup[dup["relation"] != "canonical"]["relation"].value_counts().to_dict()
    print(f"stories: {len(rows)}; re-sent identical groups: {len(groups)}")
    print(f"corpus build --until dedup: {ours:.1f} s = start-up and exit {ours - staged:.1f} s + "
          + " + ".join(f"{k} {seconds:.1f} s" for k, seconds in stages.items()))
    print(f"  peak RSS after each pass: {passes}")
    per = f" ({peak_mb * 10_000 / len(rows):.0f} MB per 10,000 documents)" if len(rows) >= 10_000 else ""
    print(f"  peak RSS {peak_mb:.0f} MB{per}; {dup['cluster_id'].nunique()} clusters, copies by relation {relations}")
    print(f"datasketch MinHashLSH fast path (bulk, 128 perm, word 5-grams, threshold 0.8, insertion session): "
          f"{peer_seconds:.1f} s; {peer_clusters} clusters")
    print(f"rensa alone (digest matrix, 128 perm, word 5-grams, LSH 16 bands): {rensa_seconds:.2f} s; "
          f"{rensa_flagged} documents flagged")
    print(f"ratio whole command / datasketch: {ours / peer_seconds:.2f} (target <= 1.0); in CPU seconds "
          f"{ours_cpu:.1f}/{peer_cpu:.1f} = {ours_cpu / peer_cpu:.2f} (steadier on a shared machine)")
    print(f"ratio dedup stage / rensa alone: {stages['dedup'] / rensa_seconds:.2f} (target <= 2.0)")
    print(f"re-sent groups found whole: {found}/{len(groups)}")


if __name__ == "__main__":
    main()
