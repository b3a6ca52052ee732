"""Adversarial inputs that once made a step quadratic: each is built with `corpus build` in a fresh process
and must finish in under 60 s (end to end, start-up and model loads included).

- a 5 MB text on one line (no line breaks at all);
- an HTML page of 100,000 `<p>` paragraphs;
- a 19 MB Markdown file;
- a sources.toml of 8,000 entries (one small text file each).

    python benchmarks/adversarial.py [--only NAME ...] [--until STAGE]

Prints seconds per case and the build's per-stage times. The inputs are generated under build/bench/.
Measured with `--until clean` on a heavily shared 2-CPU machine (load ~18): the 100,000-paragraph page
592.6 s before (ingest 558 s: trafilatura's quadratic XPath), 56.4 s after; the 8,000-entry sources.toml
186.2 s before (ingest 122 s: one parse per partition), 60.4 s after (ingest 15.6 s); the one-line text
11.9 s and the Markdown file 66.0 s (ingest 27 s, clean 14 s, publish 15 s: linear, the machine's load).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench" / "adversarial"
LIMIT_S = 60
_WORDS = ("the state council issued new rules on data governance for local platforms and city grid management "
          "offices in Zhejiang province Hangzhou Beijing ministry of industry information technology public "
          "security bureau said on Tuesday that 2023 reports cover 14 districts").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def one_line(folder: Path, rng: random.Random) -> None:
    parts, size = [], 0
    while size < 5_000_000:
        parts.append(_sentence(rng))
        size += len(parts[-1]) + 1
    (folder / "one-line.txt").write_text(" ".join(parts), encoding="utf-8")


def many_paragraphs(folder: Path, rng: random.Random) -> None:
    body = "\n".join(f"<p>{_sentence(rng)}</p>" for _ in range(100_000))
    (folder / "paragraphs.html").write_text(f"<html><head><title>Many paragraphs</title></head><body><article>"
                                            f"<h1>Many paragraphs</h1>\n{body}\n</article></body></html>", encoding="utf-8")


def big_markdown(folder: Path, rng: random.Random) -> None:
    parts, size, n = [], 0, 0
    while size < 19_000_000:
        n += 1
        block = (f"## Section {n}\n\n" if n % 20 == 1 else "") + " ".join(_sentence(rng) for _ in range(4)) + \
            ("\n\n- item one\n- item *two* with [a link](https://example.org/a)\n" if n % 7 == 0 else "") + "\n\n"
        parts.append(block)
        size += len(block)
    (folder / "big.md").write_text("# A big Markdown file\n\n" + "".join(parts), encoding="utf-8")


def many_toml_keys(folder: Path, rng: random.Random) -> None:
    entries = []
    for i in range(8_000):
        (folder / f"{i:05d}.txt").write_text(f"{_sentence(rng)} {_sentence(rng)}\n", encoding="utf-8")
        entries.append(f'[[document]]\nfile = "{i:05d}.txt"\ntitle = "Story {i}"\nsource = "web"\n'
                       f'publisher = "Example"\npublished = "2023-01-{i % 28 + 1:02d}"\n')
    (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")


CASES = {"one-line": one_line, "paragraphs": many_paragraphs, "markdown": big_markdown, "toml": many_toml_keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--until", default=None, help="stop the build after this stage")
    args = parser.parse_args()
    for name in args.only:
        folder = WORK / name
        if not folder.exists():
            folder.mkdir(parents=True)
            CASES[name](folder, random.Random(name))
        out = WORK / f"{name}-out"
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "corpus.cli", "build", "--sources", str(folder), "--out", str(out),
                   "--version", "0.0.1"] + (["--until", args.until] if args.until else [])
        start = time.perf_counter()
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=10 * LIMIT_S)
            seconds = time.perf_counter() - start
            timed = re.search(r"^stages \(time\): (.*)$", run.stdout, re.M)
            detail = timed.group(1) if timed else (run.stderr.strip().splitlines() or ["?"])[-1]
        except subprocess.TimeoutExpired:
            seconds, detail = time.perf_counter() - start, "timed out"
        verdict = "ok" if seconds < LIMIT_S else f"OVER {LIMIT_S} s"
        print(f"{name:<11} {seconds:7.1f} s  {verdict}  ({detail})", flush=True)


if __name__ == "__main__":
    main()
