"""The README's screenshot of `corpus site`: a document page as headless Chromium draws it.

Writes the site of a release into a temporary folder and photographs the top of one page, by default
the document with the most glossary terms in its first screenful of text (OPENING characters), where
entities, terms, non-Latin runs and citation markers all show. (Headless Chromium draws a blank page when
the URL has a #fragment to scroll to, so the page is taken from its top.) Chinese needs a CJK font on the system
(Debian: apt-get install fonts-noto-cjk) and Chromium (apt-get install chromium).

    python tools/site_screenshot.py [--version V] [--releases DIR] [--page documents/ID.html] [--out docs/site.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from corpus.cli import _find_release
from corpus.site import write_site
from corpus.site.browser import chromium, headless


OPENING = 1500


def default_page(release: Path) -> str:
    terms = pq.read_table(release / "terms.parquet", columns=["doc_id", "char_start"]).to_pylist()
    early = Counter(t["doc_id"] for t in terms if t["char_start"] < OPENING)
    if not early:
        return "index.html"
    doc, _ = min(early.items(), key=lambda kv: (-kv[1], kv[0]))
    return f"documents/{doc}.html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None)
    parser.add_argument("--releases", type=Path, default=None)
    parser.add_argument("--page", default=None, help="page of the site, relative to its root")
    parser.add_argument("--out", type=Path, default=Path("docs/site.png"))
    parser.add_argument("--size", default="1280,860", help="window width,height in pixels")
    args = parser.parse_args()
    if chromium() is None:
        print("error: headless Chromium not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    release = _find_release(args.version, args.releases)
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(release, Path(tmp) / "site").out
        page = args.page or default_page(release)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        run = headless(f"{site.resolve().as_uri()}/{page}", Path(tmp) / "profile", f"--window-size={args.size}",
                       f"--screenshot={args.out.resolve()}")
        if run.wait(timeout=120) != 0:
            print(f"error: Chromium exited with {run.returncode}", file=sys.stderr)
            return 1
    print(f"{args.out}: {page} of release {release.name}, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
