"""Shared by the benchmarks: expand the Reuters-21578 bench file into a folder of .txt files under build/.

The data stays in ../shared/bench (research use only); it is never copied into the project tree.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "reuters21578.jsonl.gz"


def stories(limit: int | None = None) -> list[dict]:
    with gzip.open(BENCH, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[:limit] if limit else rows


def expand(folder: Path, rows: list[dict]) -> Path:
    """Write one `<id>.txt` per story (its body) into `folder`, once."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.txt"))) != len(rows):
        for old in folder.glob("*.txt"):
            old.unlink()
        for r in rows:
            (folder / f"{r['id']:05d}.txt").write_text(r["body"], encoding="utf-8")
    return folder
