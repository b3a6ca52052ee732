"""The site's full-text search index: words for alphabetic scripts, character 1- and 2-grams for Han and kana.

Chinese and Japanese are written without spaces, so a word index would find nothing; character bigrams
find any run of two or more characters (every bigram of the query must occur in the document), unigrams
a single character. The index is a plain JavaScript file that assigns one global, read by `search.js` with
a `<script>` tag: a page opened from `file://` may not `fetch()` its own folder, but it may load scripts.

The browser tokenizes the query the same way: `IDEOGRAPHS` is written into the index file and
`search.js` builds its pattern from it; Python's `[^\\W_]` (letters and digits) is JavaScript's
`[\\p{L}\\p{N}]` with the `u` flag.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

from ..text import HAN, KANA

__all__ = ["IDEOGRAPHS", "tokens", "query_tokens", "index_script", "texts_script"]

# Han (every block and extension) and kana: the scripts indexed by character.
IDEOGRAPHS = HAN + KANA
_WORD = re.compile(r"[^\W_]+")
_IDEO = re.compile(f"[{IDEOGRAPHS}]+")
TITLE_WEIGHT = 3  # a title's tokens count this many times: a word in the title says more than one in the text


def _runs(text: str):
    """(run, is_ideographic) for each word or ideographic run of the NFKC-folded, lower-cased text."""
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        pos = 0
        for m in _IDEO.finditer(word):
            if m.start() > pos:
                yield word[pos:m.start()], False
            yield m.group(), True
            pos = m.end()
        if pos < len(word):
            yield word[pos:], False


def tokens(text: str) -> Counter:
    """Index tokens of a document text with their counts: words, and each ideograph and ideograph pair."""
    found: Counter = Counter()
    for run, ideographic in _runs(text):
        if ideographic:
            found.update(run)
            found.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            found[run] += 1
    return found


def query_tokens(text: str) -> list[str]:
    """What a query must match: its words and, for ideographic runs, their bigrams (a lone ideograph itself).
    Mirrors `queryTokens` in search.js (tested against it in a browser)."""
    out: list[str] = []
    for run, ideographic in _runs(text):
        if ideographic and len(run) > 1:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return list(dict.fromkeys(out))


def index_script(docs: list[dict], version: str) -> str:
    """The JavaScript index file. `docs`: dicts with id, title, text, and the shown fields date, genre, language.

    Postings are strings "doc:count,doc:count" in base 36 with doc numbers delta-coded, which keeps the
    file a fraction of a JSON array's size; search.js decodes only the postings of the query's tokens.
    """
    postings: dict[str, list[tuple[int, int]]] = {}
    for n, doc in enumerate(docs):
        counts = tokens(doc["text"])
        for token, c in tokens(doc["title"] or "").items():
            counts[token] += TITLE_WEIGHT * c
        for token, c in counts.items():
            postings.setdefault(token, []).append((n, c))
    encoded = {}
    for token in sorted(postings):
        previous, parts = 0, []
        for n, c in postings[token]:
            parts.append(f"{_b36(n - previous)}:{_b36(c)}" if c > 1 else _b36(n - previous))
            previous = n
        encoded[token] = ",".join(parts)
    payload = {
        "version": version,
        "ideographs": IDEOGRAPHS,
        "docs": [[d["id"], d["title"] or d["id"], d.get("date") or "", d.get("genre") or "", d.get("language") or "",
                  len(d["text"])] for d in docs],
        "postings": encoded,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"// Search index of release {version}, written by `corpus site`.\nwindow.CORPUS_SEARCH = {body};\n"


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def texts_script(docs: list[dict], version: str) -> str:
    """The JavaScript file of the documents' texts, in the index's order: the search page cuts each result's
    snippet from it (a page opened from `file://` cannot read the document pages)."""
    body = json.dumps([d["text"] or "" for d in docs], ensure_ascii=False, separators=(",", ":"))
    return f"// Texts of release {version}, for search snippets, written by `corpus site`.\nwindow.CORPUS_TEXTS = {body};\n"
