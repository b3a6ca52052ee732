"""Dedup at corpus scale: the whole `corpus build --until dedup` command (a fresh process: start-up,
ingest, clean, dedup, publish) on all 19,043 Reuters-21578 stories, against the peer a user would
otherwise pick (datasketch MinHash LSH, 128 permutations, word 5-grams, `update_batch`) on the same files
in the same run. Prints both times, the ratio, each part of ours, the build's peak RSS (and per 10,000
documents), and whether every group of re-sent identical bodies was found.

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
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

from corpus.load import read_table, table_paths  # noqa: E402


def peer(folder: Path) -> tuple[float, float, int]:
    """datasketch MinHash LSH at its usual settings over the same files; (seconds, CPU seconds, clusters found)."""
    from datasketch import MinHash, MinHashLSH

    start, cpu = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    hashes = {}
    for path in sorted(folder.glob("*.txt")):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles = {" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(list(shingles))
        hashes[path.name] = m
        lsh.insert(path.name, m)
    parent = {k: k for k in hashes}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key, m in hashes.items():
        for other in lsh.query(m):
            parent[find(other)] = find(key)
    clusters = defaultdict(list)
    for k in hashes:
        clusters[find(k)].append(k)
    return time.perf_counter() - start, time.process_time() - cpu, sum(1 for c in clusters.values() if len(c) > 1)


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
    peer_seconds, peer_cpu, peer_clusters = peer(folder)

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
    print(f"datasketch MinHashLSH (128 perm, word 5-grams, threshold 0.8): {peer_seconds:.1f} s; {peer_clusters} clusters")
    print(f"ratio ours/peer: {ours / peer_seconds:.2f} (target <= 1.0); in CPU seconds {ours_cpu:.1f}/{peer_cpu:.1f} = "
          f"{ours_cpu / peer_cpu:.2f} (steadier on a shared machine)")
    print(f"re-sent groups found whole: {found}/{len(groups)}")


if __name__ == "__main__":
    main()
