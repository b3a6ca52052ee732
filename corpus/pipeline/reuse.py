"""Reuse: the passages distinct documents share (the articles a city copied from a province's regulation).

Method (linear in the candidate pairs: LSH candidates, never all pairs):
1. Units, as the document has them: an article runs from its line starting 第…条 to the next article, chapter
   (第…章/节/编) or heading, over its clauses and paragraphs however its lines are wrapped; other text is cut
   at lines (paragraphs), a paragraph longer than _MAX_TOKENS tokens into windows of _WINDOW sentences.
2. Masking, by what a name is, to one token of its kind: issuing bodies (滨州市人民代表大会常务委员会), places
   (the divisions of corpus/data/divisions.tsv, 本市, 本省, 市 before an organ), dates (2016年2月20日,
   June 1, 2023) and numbers (第十二条, 3.5), so that a city's copy of a province's article matches it.
   Tokens are corpus.text's (a word, or one CJK character), lower-cased.
3. Candidates: units' MinHash signatures (config.num_perm, the fixed seed) over their token 3-grams, banded as
   dedup bands documents (text.lsh_candidates): units of one bucket, of different documents, are candidates.
4. Alignment of each candidate pair: an edit alignment of the masked tokens (rapidfuzz's Indel opcodes,
   after locating the shorter unit in a much longer one), then its best-scoring stretch (a match +1, an
   inserted or deleted token -1: local alignment in the manner of Smith-Waterman). The stretch widens to the
   whole unit on a side where it leaves at most a quarter of the unit out (an article copied with its first
   words edited is the article). A pair is reuse when the passages so found have config.min_similarity or
   more (2 * shared tokens / both lengths), _MIN_TOKENS unmasked tokens each, and cover half of one of the
   two units. Each pair gives a row under each of its two documents, offsets exact in both.

`diffusion_edges` turns the rows into dated edges between documents: earlier to later, or a tie or an unknown
date stated as such.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache

import numpy as np
import pandas as pd

from ..config import ReuseConfig
from ..divisions import place_names
from ..errors import MissingExtraError
from ..tables import frame
from ..text import CJK_TOKEN, HAN, TOKEN, ZH_ORDINAL, gram_hashes, lsh_candidates, set_signatures, token_ids
from .layer import Mark

__all__ = ["reuse", "diffusion_edges", "diffusion_baseline", "anchor", "site_marks"]

# Unmasked tokens a passage needs: a copied article has more (本条例适用于本市行政区域内…监督管理: 22); a set formula
# has fewer (本条例自公布之日起施行: 11; a regulation's dated history line, its body and numbers masked: 16).
_MIN_TOKENS = 20
_MAX_TOKENS = 200
_MAX_ARTICLE = 1500  # tokens: a longer "article" is a document without articles read as one; cut at its lines
_WINDOW = 3
_MASKED_KEPT = 256  # documents whose masked text is kept while passages aligned in part get their offsets
_N = 3
_WIDEN = 0.25  # share of a unit the alignment may leave out on that side and still stand for the whole unit
_COVER = 0.5
_RUN_CJK = 5
_KEPT_RUNS = 0.5
# Units aligned whole with each other form groups (an article that ten cities copied): a group up to this size has
# all its pairs verified, as a big LSH bucket gives only neighbours; a bigger one (a paragraph syndicated 10,000
# times) keeps the pairs found, its rows staying linear in the candidate pairs.
_COMPLETE = 128
_ARTICLE = re.compile(rf"[ \t\u3000]*第{ZH_ORDINAL}条")
_CHAPTER = re.compile(rf"[ \t\u3000]*第{ZH_ORDINAL}(?:编|分编|章|节)")
_HEADING_CHARS = 15  # a line this short without punctuation, before an article, is a heading (附则, 其他规定)
_PUNCTUATION = re.compile(r"[。；：，！？、.;:,!?）)]")
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?=[\"'”’)\]]*(?:\s|$))")
# What a masked name becomes: a private-use character of its kind, one token of its own.
_BODY, _PLACE, _DATE, _NUMBER = "\ue000", "\ue001", "\ue002", "\ue003"
_MASKS = _BODY + _PLACE + _DATE + _NUMBER
_TOKENS = re.compile(f"[{_MASKS}]|{TOKEN.pattern}")
_TOKENS_NO_CJK = re.compile(f"[{_MASKS}]|\\w+")  # the same tokens where there is no CJK character, found faster
_ORGANS = ("人民代表大会常务委员会", "人民代表大会", "人大常委会", "人民政府办公厅", "人民政府办公室", "人民政府",
           "人民法院", "人民检察院", "委员会", "常委会", "政府")
_LEVEL = r"(?:本|全)?(?:自治区|自治州|自治县|省|市|县|区|州|旗|盟)"
_ZH_DIGIT = "〇零一二三四五六七八九十"
# Dates the text writes as digits or Chinese numerals (2016年2月20日, 二〇一六年二月, 2016-02-20); a date written with a
# month's name keeps the name, its numbers masked.
_DATES = (rf"\d{{4}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?|[{_ZH_DIGIT}]{{4}}年[{_ZH_DIGIT}]{{1,2}}月"
          rf"(?:[{_ZH_DIGIT}]{{1,3}}日)?|\d{{4}}-\d{{1,2}}-\d{{1,2}}")
_NUMBERS = rf"第{ZH_ORDINAL}(?=[条款项章节编届次])|\d+(?:[.,]\d+)*"


def _trie(words: list[str]) -> str:
    """One regex alternation of `words` as a trie (山东省|山西省 → 山(?:东省|西省)): Python's re tries the
    alternatives of a flat one at every position, one after another; a trie tries one character."""
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(c) + walk(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        if len(branches) == 1 and not ends:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")

    first = "".join(re.escape(c) for c in sorted(tree))
    return f"(?=[{first}]){walk(tree)}"  # most positions fail on one character class, not on 300 branches


@lru_cache(maxsize=2)
def _masks(cjk: bool) -> re.Pattern:
    """Bodies, places, dates and numbers, each a named group; a body is a place (or level) and an organ. Text
    without CJK characters names no Chinese body or place: its dates and numbers only (a pattern Python's re
    tries at every position, so the shorter the better)."""
    if not cjk:  # its dates and numbers start with a digit: one look at most positions
        return re.compile(r"(?=\d)(?:(?P<date>\d{4}-\d{1,2}-\d{1,2})|(?P<number>\d+(?:[.,]\d+)*))")
    places = _trie(list(place_names(short=True)))
    organs = "|".join(_ORGANS)
    level = rf"{_LEVEL}(?=人民|政府|级|委员会|常委会|人大|行政区域|范围|区域|实际)"
    return re.compile(f"(?P<body>(?:{places})+(?:[{HAN}]{{1,6}}?(?:县|区|旗))?(?:{organs})|{_LEVEL}(?:{organs}))|"
                      f"(?P<place>(?:{places})+|{level}|本(?:省|市|自治区|自治州|州|县|区))|"
                      f"(?P<date>{_DATES})|(?P<number>{_NUMBERS})")


_KIND_MASK = {"body": _BODY, "place": _PLACE, "date": _DATE, "number": _NUMBER}


def _masked(text: str) -> str:
    """`text`, lower-cased, with each body, place, date and number replaced by its kind's mask and spaces: the
    same length, so that offsets of tokens in it are offsets in `text`."""
    cjk = not text.isascii() and CJK_TOKEN.search(text) is not None  # isascii: one look at most texts
    masked = _masks(cjk).sub(lambda m: _KIND_MASK[m.lastgroup] + " " * (len(m.group()) - 1), text).lower()
    if len(masked) != len(text):  # a character whose lower case is longer (İ): that character as it is
        masked = "".join(c if len(c) == 1 else o for c, o in zip(map(str.lower, masked), masked))
    return masked


def _is_heading(line: str, following: str) -> bool:
    """A chapter line, or a short line without punctuation right before an article (附则, 其他规定)."""
    if _CHAPTER.match(line):
        return True
    stripped = line.strip()
    return (len(stripped) <= _HEADING_CHARS and not _PUNCTUATION.search(stripped)
            and _ARTICLE.match(following) is not None)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line of `text`, its surrounding spaces excluded."""
    out, start = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            begin = start + line.index(stripped[0])
            out.append((begin, begin + len(stripped)))
        start += len(line) + 1
    return out


def _windows(text: str, begin: int, end: int) -> list[tuple[int, int, str]]:
    """A long paragraph cut into windows of _WINDOW sentences."""
    piece = text[begin:end]
    ends = [m.end() for m in _SENTENCE_END.finditer(piece)]
    ends = ends if ends and ends[-1] == len(piece) else [*ends, len(piece)]
    cuts = [0, *ends[_WINDOW - 1::_WINDOW]]
    cuts = cuts if cuts[-1] == len(piece) else [*cuts, len(piece)]
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        part = piece[a:b]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((begin + a + lead, begin + a + len(part.rstrip()), "sentences"))
    return out


def _paragraph(text: str, begin: int, end: int) -> list[tuple[int, int, str]]:
    """A line: one paragraph, or windows when it has more than _MAX_TOKENS tokens (counted only where it may:
    a token is a character at least, and words are apart, so n characters without CJK hold (n + 1) // 2 at most)."""
    length = end - begin
    if length <= _MAX_TOKENS or ((length + 1) // 2 <= _MAX_TOKENS and text[begin:end].isascii()) or \
            len(TOKEN.findall(text, begin, end)) <= _MAX_TOKENS:
        return [(begin, end, "paragraph")]
    return _windows(text, begin, end)


def _units(text: str) -> list[tuple[int, int, str]]:
    """(char_start, char_end, unit) of each passage of `text`, in order; ends exclude surrounding spaces."""
    lines = _lines(text)
    out, k = [], 0
    while k < len(lines):
        begin, end = lines[k]
        if not _ARTICLE.match(text, begin):
            out += _paragraph(text, begin, end)
            k += 1
            continue
        last = k
        while last + 1 < len(lines):
            nxt = text[lines[last + 1][0]:lines[last + 1][1]]
            after = text[lines[last + 2][0]:lines[last + 2][1]] if last + 2 < len(lines) else ""
            if _ARTICLE.match(nxt) or _is_heading(nxt, after):
                break
            last += 1
        end = lines[last][1]
        if len(TOKEN.findall(text, begin, end)) <= _MAX_ARTICLE:
            out.append((begin, end, "article"))
        else:
            for a, b in lines[k:last + 1]:
                out += _paragraph(text, a, b)
        k = last + 1
    return out


class _Passages:
    """Every document's units long enough to show copying: their spans and masked tokens (ids); the tokens'
    character offsets are found again for the few passages aligned in part."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self._recent: OrderedDict[int, str] = OrderedDict()
        self.owner: list[int] = []
        self.spans: list[tuple[int, int]] = []
        self.units: list[str] = []
        self.tokens: list[np.ndarray] = []
        self.cjk: list[bool] = []
        self.shingles: list[np.ndarray] = []  # token 3-gram hashes, repeats kept: they change no MinHash minimum
        vocabulary: dict[str, int] = {}
        mask_ids = np.array(sorted(token_ids(list(_MASKS), {})), dtype=np.uint64)
        for d, text in enumerate(texts):
            masked = _masked(text)
            cjk_text = not text.isascii() and CJK_TOKEN.search(text) is not None
            tokens = _TOKENS if cjk_text else _TOKENS_NO_CJK
            words, bounds, kept = [], [0], []
            for begin, end, unit in _units(text):
                if end - begin >= _MIN_TOKENS:  # else fewer characters than the tokens a passage needs
                    words += tokens.findall(masked, begin, end)
                    bounds.append(len(words))
                    kept.append((begin, end, unit))
            if not kept:
                continue
            ids = token_ids(words, vocabulary)  # one look-up, and one pass of n-grams, for the document's passages
            grams = gram_hashes(ids, _N)
            unmasked = np.concatenate(([0], np.cumsum(~np.isin(ids, mask_ids))))
            for (begin, end, unit), a, b in zip(kept, bounds[:-1], bounds[1:]):
                if unmasked[b] - unmasked[a] < _MIN_TOKENS:
                    continue
                self.owner.append(d)
                self.spans.append((begin, end))
                self.units.append(unit)
                self.tokens.append(ids[a:b])
                self.shingles.append(grams[a:b - _N + 1])
                self.cjk.append(cjk_text and 2 * len(CJK_TOKEN.findall(masked, begin, end)) > b - a)
        self.mask_ids = mask_ids

    def unmasked(self, i: int, a: int, b: int) -> int:
        """How many of tokens a..b of passage i are not masks."""
        return int(b - a - np.isin(self.tokens[i][a:b], self.mask_ids).sum())

    def span(self, i: int, a: int, b: int) -> tuple[int, int]:
        """Character offsets of tokens a..b (exclusive) of passage i; the whole passage for all its tokens."""
        if a == 0 and b == len(self.tokens[i]):
            return self.spans[i]
        begin, end = self.spans[i]
        found = [m.span() for m in _TOKENS.finditer(self._masked(self.owner[i]), begin, end)]
        return found[a][0], found[b - 1][1]

    def _masked(self, d: int) -> str:
        """Document d's masked text, the last _MASKED_KEPT of them kept (a long report is masked once)."""
        if d not in self._recent:
            self._recent[d] = _masked(self.texts[d])
            if len(self._recent) > _MASKED_KEPT:
                self._recent.popitem(last=False)
        self._recent.move_to_end(d)
        return self._recent[d]


@lru_cache(maxsize=1)
def _rapidfuzz():
    try:
        import rapidfuzz.distance
        import rapidfuzz.fuzz
    except ImportError:
        raise MissingExtraError("rapidfuzz", "build", "reuse") from None
    return rapidfuzz


def _best_stretch(a: list[int], b: list[int]) -> tuple[int, int, int, int] | None:
    """(a_start, a_end, b_start, b_end) in tokens of the best-scoring stretch of an edit alignment of a and b
    (a shared token +1, a token of one only -1), or None when they share nothing."""
    best, score, first, found = 0, 0, None, None
    for op in _rapidfuzz().distance.Indel.opcodes(a, b):
        if op.tag == "equal":
            first = op if first is None else first
            score += op.src_end - op.src_start
            if score > best:
                best, found = score, (first.src_start, op.src_end, first.dest_start, op.dest_end)
        else:
            score -= (op.src_end - op.src_start) + (op.dest_end - op.dest_start)
            if score <= 0:
                score, first = 0, None
    return found


def _align(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int] | None:
    """The locally aligned stretch of two passages' tokens (see _best_stretch), the shorter one first located in
    a much longer one: a global alignment would scatter its tokens over the long one's."""
    x, y = a.tolist(), b.tolist()
    short, long_, swapped = (y, x, True) if len(x) > len(y) else (x, y, False)
    offset = 0
    if len(long_) > 2 * len(short):
        located = _rapidfuzz().fuzz.partial_ratio_alignment(short, long_)
        offset = max(0, located.dest_start - len(short) // 2)
        long_ = long_[offset:located.dest_end + len(short) // 2]
    found = _best_stretch(short, long_)
    if found is None:
        return None
    s0, s1, l0, l1 = found[0], found[1], found[2] + offset, found[3] + offset
    return (l0, l1, s0, s1) if swapped else (s0, s1, l0, l1)


def _widened(start: int, end: int, length: int) -> tuple[int, int]:
    return (0, length) if start + (length - end) <= _WIDEN * length else (start, end)


def _verified(p: _Passages, i: int, j: int, min_similarity: float) -> tuple[int, int, int, int, float] | None:
    """(i's token start and end, j's, similarity) of the passage i and j share, or None when it is not reuse."""
    found = _align(p.tokens[i], p.tokens[j])
    if found is None:
        return None
    a0, a1 = _widened(found[0], found[1], len(p.tokens[i]))
    b0, b1 = _widened(found[2], found[3], len(p.tokens[j]))
    if max((a1 - a0) / len(p.tokens[i]), (b1 - b0) / len(p.tokens[j])) < _COVER:
        return None
    if min(p.unmasked(i, a0, a1), p.unmasked(j, b0, b1)) < _MIN_TOKENS:
        return None
    a, b = p.tokens[i][a0:a1], p.tokens[j][b0:b1]
    similarity = _rapidfuzz().distance.Indel.normalized_similarity(a.tolist(), b.tolist())
    if similarity < min_similarity or _kept_runs(a, b, p.cjk[i]) < _KEPT_RUNS:
        return None
    return a0, a1, b0, b1, similarity


def _kept_runs(a: np.ndarray, b: np.ndarray, cjk: bool) -> float:
    """Share of the shorter passage's token n-grams (CJK: 5 characters, else 3 words) found in the other: a
    copy's edits are few and leave most runs whole; a set formula reworded (违反本条例规定，法律、法规已有处罚
    规定的 / 违反本条例规定的行为，法律、行政法规已有法律责任规定的) is edited every few characters."""
    n = _RUN_CJK if cjk else _N
    x, y = np.unique(gram_hashes(a, n)), np.unique(gram_hashes(b, n))
    return len(np.intersect1d(x, y, assume_unique=True)) / max(1, min(len(x), len(y)))


def _pairs(p: _Passages, candidates: list[list[int]], min_similarity: float):
    """(i, j, alignment) of each candidate pair that is reuse, then of the other pairs of each group of units
    aligned whole (up to _COMPLETE units), in order; less the pairs _undominated drops."""
    parent = list(range(len(p.tokens)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tried, found = set(), []
    for i, j in candidates:
        tried.add((i, j))
        if (alignment := _verified(p, i, j, min_similarity)) is not None:
            found.append((i, j, alignment))
            if alignment[:4] == (0, len(p.tokens[i]), 0, len(p.tokens[j])):  # copies of one unit; a part links none
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in sorted({x for i, j, _ in found for x in (i, j)}):
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        if len(members) > _COMPLETE:
            continue
        for k, i in enumerate(members):
            for j in members[k + 1:]:
                if p.owner[i] != p.owner[j] and (i, j) not in tried:
                    if (alignment := _verified(p, i, j, min_similarity)) is not None:
                        found.append((i, j, alignment))
    return _undominated(p, found)


def _undominated(p: _Passages, found: list) -> list:
    """`found` less each pair whose stretch of one unit lies inside that unit's stretch in a better pair with the
    same other document: a set phrase of a copied article, found again in another article there, is not a
    second passage (an article split in two by its copier keeps both halves: their stretches are apart)."""
    rank = [((a1 - a0 + b1 - b0) * similarity, -k) for k, (_, _, (a0, a1, b0, b1, similarity)) in enumerate(found)]
    stretches: dict[tuple[int, int], list[tuple[int, int, tuple]]] = {}
    for k, (i, j, (a0, a1, b0, b1, _)) in enumerate(found):
        stretches.setdefault((i, p.owner[j]), []).append((a0, a1, rank[k]))
        stretches.setdefault((j, p.owner[i]), []).append((b0, b1, rank[k]))

    def dominated(unit: int, doc: int, start: int, end: int, mine: tuple) -> bool:
        return any(s <= start and end <= e and r > mine for s, e, r in stretches[(unit, doc)])

    return [(i, j, (a0, a1, b0, b1, similarity)) for k, (i, j, (a0, a1, b0, b1, similarity)) in enumerate(found)
            if not dominated(i, p.owner[j], a0, a1, rank[k]) and not dominated(j, p.owner[i], b0, b1, rank[k])]


def reuse(documents: pd.DataFrame, config: ReuseConfig = ReuseConfig()) -> pd.DataFrame:
    """The reuse table of the built documents of `documents` (their published texts): for each pair of
    passages of two distinct documents that align (one copied from the other, or both from a third, with
    edits), a row under each document."""
    built = documents[documents["status"] == "built"].sort_values("doc_id")
    p = _Passages(list(built["text"]))
    if not p.tokens:
        return frame("reuse", [])
    signatures = set_signatures(p.shingles, config.num_perm)
    pairs, _ = lsh_candidates(signatures, config.bands, config.min_estimate)
    owner_of = np.array(p.owner)
    pairs = pairs[owner_of[pairs[:, 0]] != owner_of[pairs[:, 1]]]
    ids = list(built["doc_id"])
    rows = []
    for i, j, (a0, a1, b0, b1, similarity) in _pairs(p, pairs.tolist(), config.min_similarity):
        for x, y, (x0, x1), (y0, y1) in ((i, j, (a0, a1), (b0, b1)), (j, i, (b0, b1), (a0, a1))):
            (start, end), (other_start, other_end) = p.span(x, x0, x1), p.span(y, y0, y1)
            doc, other = ids[p.owner[x]], ids[p.owner[y]]
            rows.append({"reuse_id": f"{doc}-u{start:07d}-{other}-{other_start:07d}", "doc_id": doc,
                         "char_start": start, "char_end": end, "other_doc_id": other,
                         "other_char_start": other_start, "other_char_end": other_end,
                         "similarity": round(similarity, 4), "unit": p.units[x]})
    rows.sort(key=lambda r: (r["doc_id"], r["char_start"], r["other_doc_id"], r["other_char_start"]))
    # one row per passage pair: two units of a document aligned to one stretch of the other are one passage there
    unique = list({r["reuse_id"]: r for r in rows}.values())
    return frame("reuse", unique)


# The header of a Chinese regulation lists its history: 2003年6月28日 …会议通过, then each amendment; the earliest
# dated event there is its adoption (as corpus.baselines.adoption_year reads it).
_HEADER_EVENT = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日[^。\n]{0,80}?(?:通过|公布|发布|批准)")
_HEADER_CHARS = 600
_PRECISION_CHARS = {"year": 4, "month": 7, "day": 10}
EDGE_COLUMNS = ("source_doc_id", "target_doc_id", "order", "source_date", "source_precision", "source_date_from",
                "target_date", "target_precision", "target_date_from", "shared_units", "target_chars",
                "share_of_target", "share_of_source", "mean_similarity")


def _dated(text, published, precision) -> tuple[str | None, str | None, str | None]:
    """(date, precision, where from) of a document: its `published` date (metadata) at its precision, else the
    earliest adoption its text's header states (to the day), else nothing."""
    if isinstance(published, str) and published[:4].isdigit():
        precision = precision if isinstance(precision, str) else {4: "year", 7: "month"}.get(len(published), "day")
        return published[:_PRECISION_CHARS[precision]], precision, "published"
    events = _HEADER_EVENT.findall(text[:_HEADER_CHARS]) if isinstance(text, str) else []
    if events:
        return min(f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in events), "day", "header"
    return None, None, None


def _covered(spans: pd.DataFrame, start: str, end: str) -> int:
    """Characters in the union of the spans."""
    total, reach = 0, -1
    for a, b in sorted(zip(spans[start], spans[end])):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def diffusion_edges(documents: pd.DataFrame, reuse_rows: pd.DataFrame) -> pd.DataFrame:
    """Policy diffusion as the reuse table shows it: one edge per pair of documents sharing passages.

    Columns: source_doc_id, target_doc_id; order: `earlier_to_later` (the source is dated before the target),
    `same_date` (one date at the coarser of the two precisions: which came first is not known; source and
    target in doc_id order) or `date_unknown` (a document without a date; doc_id order); each side's date,
    its precision (year, month, day) and where it comes from (`published`: the metadata; `header`: the
    earliest adoption the text's header states); shared_units (passages of the target found in the source),
    target_chars (their characters, overlaps counted once), share_of_target and share_of_source (the share of
    each text those passages cover) and mean_similarity. Nothing is guessed: a tie or a missing date says so.
    """
    if reuse_rows.empty:
        return pd.DataFrame(columns=list(EDGE_COLUMNS))
    docs = documents.set_index("doc_id")
    dates = {}
    for doc_id in set(reuse_rows["doc_id"]):
        row = docs.loc[doc_id]
        dates[doc_id] = _dated(row.get("text"), row.get("published"), row.get("published_precision"))
    rows = []
    for (a, b), group in reuse_rows.groupby(["doc_id", "other_doc_id"], sort=True):
        (date_a, precision_a, _), (date_b, precision_b, _) = dates[a], dates[b]
        if date_a is None or date_b is None:
            order, (source, target) = "date_unknown", sorted((a, b))
        else:
            coarse = min(_PRECISION_CHARS[precision_a], _PRECISION_CHARS[precision_b])
            if date_a[:coarse] == date_b[:coarse]:
                order, (source, target) = "same_date", sorted((a, b))
            else:
                order = "earlier_to_later"
                source, target = (a, b) if date_a[:coarse] < date_b[:coarse] else (b, a)
        if (source, target) != (a, b):
            continue  # each pair once: from its source's rows
        mine = group.drop_duplicates(["char_start", "char_end"])
        theirs = group.drop_duplicates(["other_char_start", "other_char_end"])
        target_side, target_start, target_end = ((mine, "char_start", "char_end") if target == a else
                                                 (theirs, "other_char_start", "other_char_end"))
        source_side, source_start, source_end = ((theirs, "other_char_start", "other_char_end") if target == a else
                                                 (mine, "char_start", "char_end"))
        target_chars = _covered(target_side, target_start, target_end)
        source_chars = _covered(source_side, source_start, source_end)
        rows.append({"source_doc_id": source, "target_doc_id": target, "order": order,
                     "source_date": dates[source][0], "source_precision": dates[source][1],
                     "source_date_from": dates[source][2], "target_date": dates[target][0],
                     "target_precision": dates[target][1], "target_date_from": dates[target][2],
                     "shared_units": len(target_side), "target_chars": target_chars,
                     "share_of_target": round(target_chars / max(1, len(docs.at[target, "text"])), 4),
                     "share_of_source": round(source_chars / max(1, len(docs.at[source, "text"])), 4),
                     "mean_similarity": round(float(group["similarity"].mean()), 4)})
    return pd.DataFrame(rows, columns=list(EDGE_COLUMNS)).sort_values(
        ["order", "source_doc_id", "target_doc_id"]).reset_index(drop=True)



def diffusion_baseline(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """baselines/reuse_diffusion.csv: the diffusion edges of the built documents (`diffusion_edges`), with each
    side's issuer, level and year (of its date) for the figure."""
    docs = tables["documents"]
    built = docs[docs["status"] == "built"]
    rows = tables["reuse"]
    edges = diffusion_edges(built, rows[rows["doc_id"].isin(built["doc_id"]) & rows["other_doc_id"].isin(built["doc_id"])])
    about = built.set_index("doc_id")
    for side in ("source", "target"):
        ids = edges[f"{side}_doc_id"]
        edges[f"{side}_issuer"] = ids.map(about["issuer"]) if "issuer" in about else None
        edges[f"{side}_level"] = ids.map(about["issuer_level"]) if "issuer_level" in about else None
        edges[f"{side}_year"] = edges[f"{side}_date"].map(
            lambda d: int(d[:4]) if isinstance(d, str) else None).astype("Int64")
    return {"reuse_diffusion": edges}

def anchor(row: dict, mine: bool) -> str:
    """The id of a reuse row's passage on the page of its `doc_id` (mine) or of its `other_doc_id`."""
    return f"reuse-{row['reuse_id']}" + ("" if mine else "-other")


def site_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    """A shared passage on either document's page, titled with the other document."""
    marks = []
    for r in by_doc["reuse"].get(doc_id, ()):
        mine = r["doc_id"] == doc_id
        start, end = (r["char_start"], r["char_end"]) if mine else (r["other_char_start"], r["other_char_end"])
        other = r["other_doc_id"] if mine else r["doc_id"]
        marks.append(Mark(start, end, "span",
                          (("class", "reuse"), ("data-other", other),
                           ("title", f"shared with {titles.get(other, other)} (similarity {r['similarity']:.2f})")),
                          (("id", anchor(r, mine)),), rank=0))
    return marks
