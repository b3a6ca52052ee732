"""Reference parsing: one cited work's text into fields, by a CRF over its tokens.

As AnyStyle and GROBID do it: the text is cut into tokens (words, numbers, single Han characters,
punctuation, URLs and DOIs whole), each token gets features (case, digits, punctuation, its position,
whether it sits inside quotes, 《》 or brackets, and the word classes of `corpus/data/refparse/` and the
outlet registry), and a linear-chain CRF (python-crfsuite) labels it author, editor, translator, title,
container, publisher, location, date, volume, issue, pages, url, doi or other. The model ships in
`corpus/models/refparse/` and is trained by `corpus/training/train_refparse.py`. Dates become ISO 8601
with dateparser; `Ibid.`-like notes and short forms (`op. cit.`, `cit.`, 前引) are told by their words.
Where a note's marks settle a boundary the CRF may miss, they win: a GB/T 7714 title is what stands before
its type code, a 《…》 title is whole, a second 《》 or a `[M]//` part is the container, a short form's
`Author, Short title, cit.` is split at its comma.
Every pattern here is linear; texts longer than MAX_CHARS are parsed on their first MAX_CHARS.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..errors import MissingExtraError
from ..nlp import crf_model_name, crf_tagger
from ..outlets import registry
from ..text import HAN

__all__ = ["parse_reference", "label_spans", "tokenize", "token_features", "iso_date", "split_authors", "find_url", "model_info",
           "LABELS", "MODEL_DIR", "MAX_CHARS"]

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "refparse"
_DATA = Path(__file__).resolve().parent.parent / "data"
MAX_CHARS = 2000
MAX_TITLE_CHARS = 300
LABELS = ("author", "editor", "translator", "title", "container", "publisher", "location", "date", "volume",
          "issue", "pages", "url", "doi", "other")

_URL = r"(?:https?://|www\.)[^\s<>\"“”《》，。；、]+"
_DOI = r"\b10\.\d{4,9}/[^\s\"“”《》，。；]+"
_TOKEN = re.compile(rf"(?P<url>{_URL})|(?P<doi>{_DOI})|[{HAN}]|(?:(?![{HAN}])[^\W\d_])+(?:['’](?:(?![{HAN}])[^\W\d_])+)*"
                    r"|\d+|\S")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ROMAN = re.compile(r"[IVXLCDM]+")
_INITIAL = re.compile(r"[A-Z]")
_OPEN = {"“": "q", "„": "q", "«": "g", "《": "b", "〈": "b", "(": "p", "（": "p", "[": "k", "【": "k", "‘": "s"}
_CLOSE = {"”": "q", "“": "q", "»": "g", "》": "b", "〉": "b", ")": "p", "）": "p", "]": "k", "】": "k", "’": "s"}
_IBID_START = re.compile(r"\s*(?:ibid(?:em)?\b|id(?:em)?\.|ebd\b|ebenda\b|ivi\b|同上|同前)", re.I)
# GB/T 7714 puts the volume after the title and a colon: `全集：第31卷`, `县志：卷 12 风俗`, `汇钞: 上册`.
_VOLUME_AFTER_TITLE = re.compile("\\s*[:：]\\s*(?:第?\\s*\\d+\\s*[卷册]|卷\\s*\\d+|[上中下]册)[^:：]*$")
_SHORT_WORDS = re.compile(r"\bop\.\s*cit\b|\bcit\b\.?|前引|\bsupra\b|\ba\.\s*a\.\s*O\b", re.I)
_PAGE_PREFIX = re.compile(r"^(?:(?:pages|page|pagg|pag|pgs|pp|p|ss|s|cc|coll|col|c|at|頁|页)\.?\s*|第)", re.I)
# Words after the page numbers that are no page: `p. 149, nota`, `p. 4 n. 2`, `S. 7 Anm. 3`.
_PAGE_TAIL = re.compile(r"(?<=\d)[\s,]*(?:nota|note|n|Anm|fn)\.?(?:\s*\d+)?$|\s*(?:e\s+|and\s+)?passim$"
                        r"|(?<=\d)\s+(?:e|and|und|et)$", re.I)
# Words that introduce a container rather than belong to it: `in`, `In:`, `载`, `见`, `参见`.
_CONTAINER_LEAD = re.compile(r"^(?:in\b:?|载于?|见|参见)\s*", re.I)
# Words before an author that say where to look, not who wrote: `cfr.`, `see`, `vgl.`, `参见`.
_AUTHOR_LEAD = re.compile(r"^(?:(?:cfr|cf|see(?:\s+also)?|vgl|siehe|voir)\b\.?|转引自|参见|参看)\s*", re.I)
# `原作者著，译者译`: what follows 著 and a comma in an author run are translators or editors.
_AFTER_AUTHOR_ROLE = re.compile(f"(?<=[{HAN}])著[，,：:].*$")
# `姚际恒．古今伪书考．…`: a Chinese name, a full stop, then the title the CRF left in the author run.
_HAN_NAME_THEN_TITLE = re.compile(f"^([{HAN}]{{2,5}})\\s*[．.]\\s*([^．.]+)")
_ET_AL = re.compile(r"[\s,]*\b(?:et\s+al|u\.\s*a|e\s+altri|et\s+alii)\b\.?$|[\s,]*等$", re.I)
_RANGE_DASH = re.compile(r"(?<=\d)\s*[–—―‒～~〜至]\s*(?=\d)")
# Role words GB/T 7714 and Chinese footnotes put after names: 编, 主编, 著, 编著, 译, 等.
_ROLE_SUFFIX = re.compile(f"(?<=[{HAN}])(?:主编|编著|编辑|编|著|译|等)$")
_PAGE_SUFFIX = re.compile(r"\s*[页版]$")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    rows = (_DATA / "refparse" / "lexicon.tsv").read_text(encoding="utf-8").splitlines()
    return dict(r.split("\t")[:2] for r in rows if r and not r.startswith("#"))


@lru_cache(maxsize=1)
def _gazetteer() -> dict[tuple[str, ...], str]:
    """Multi-token names (publishers, outlets) keyed by their lower-cased token tuple."""
    names: dict[tuple[str, ...], str] = {}
    for line in (_DATA / "refparse" / "publishers.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names[tuple(t.lower() for t, _, _ in tokenize(line))] = "publisher"
    for outlet in registry():
        for name in outlet["names"]:
            names.setdefault(tuple(t.lower() for t, _, _ in tokenize(name)), "outlet")
    return {k: v for k, v in names.items() if k}


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) of each token: a URL or DOI whole, a word, a number, a Han character or one mark."""
    out = []
    for m in _TOKEN.finditer(text):
        s, e = m.start(), m.end()
        if m.lastgroup in ("url", "doi"):
            while e > s + 1 and text[e - 1] in ".,;:)]}>'’":
                e -= 1
        out.append((text[s:e], s, e))
        if e < m.end():  # marks the URL swallowed go back as tokens of their own
            out.extend((text[k], k, k + 1) for k in range(e, m.end()) if not text[k].isspace())
    return out


def _shape(tok: str) -> str:
    shape = re.sub(r"[A-Z\u00c0-\u00de]", "X", tok)
    shape = re.sub(r"[a-z\u00df-\u00ff]", "x", shape)
    shape = re.sub(r"\d", "d", shape)
    return re.sub(r"(.)\1+", r"\1\1", shape)[:6]


def _gazetteer_marks(tokens: list[str]) -> list[str | None]:
    names = _gazetteer()
    lower = [t.lower() for t in tokens]
    marks: list[str | None] = [None] * len(tokens)
    longest = 12
    for i in range(len(tokens)):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            kind = names.get(tuple(lower[i:i + n]))
            if kind and (n > 1 or len(lower[i]) > 2):
                for k in range(i, i + n):
                    marks[k] = marks[k] or kind
                break
    return marks


def _lexicon_marks(tokens: list[str]) -> list[str | None]:
    """Word class of each token; Han words of two or three characters mark every character they cover."""
    lex = _lexicon()
    marks = [lex.get(t.lower().rstrip(".")) for t in tokens]
    for i in range(len(tokens)):
        for n in (3, 2):
            # n tokens of one character each: a slice cut short by the end of the note (`et al`, `eds`,
            # `in` as its last word) is not a Han word and must not mark past the end.
            word = "".join(tokens[i:i + n])
            if len(word) == n and len(tokens[i:i + n]) == n and word in lex:
                for k in range(i, i + n):
                    marks[k] = lex[word]
                break
    return marks


_TYPE_CODE = re.compile(r"[A-Z]{1,2}(?:/[A-Z]{1,2})?")
_SEGMENT_END = frozenset({".", "．", "。", "/"})
_IN_WORDS = frozenset({"in", "载", "见", "dans", "en"})


def _before_type_code(tokens: list[str]) -> list[bool]:
    """Whether a token stands in the stretch just before a GB/T 7714 type code (`[M]`, `［J］`, `[EB/OL]`):
    there the title is, whatever its words. The stretch starts after the last `.` or `/` before the code."""
    marks = [False] * len(tokens)
    i = len(tokens) - 1
    while i >= 2:
        k = i - 1  # a code is `[`, letters (and `/` letters), `]`
        while k > 0 and i - k <= 4 and tokens[k] not in ("[", "［"):
            k -= 1
        if tokens[i] in ("]", "］") and tokens[k] in ("[", "［") and _TYPE_CODE.fullmatch("".join(tokens[k + 1:i])):
            j = k - 1
            while j >= 0 and tokens[j] not in _SEGMENT_END:
                marks[j] = True
                j -= 1
            i = j
        else:
            i -= 1
    return marks


def _after_in(tokens: list[str]) -> list[bool]:
    """Whether an `in`/`In:`/载/见 that opens a part of the note (after a comma, a stop or a closing quote,
    or a GB/T `//`) stands before the token: what follows it is the container."""
    marks, seen = [], False
    for i, t in enumerate(tokens):
        marks.append(seen)
        opens_part = i == 0 or tokens[i - 1] in ",.，。、”’»》)]］"
        if opens_part and (t.lower() in _IN_WORDS or (t == "/" and tokens[i + 1:i + 2] == ["/"])):
            seen = True
    return marks


def token_features(tokens: list[str]) -> list[list[str]]:
    """crfsuite feature strings of each token, its neighbours' included."""
    n = len(tokens)
    lex, gaz = _lexicon_marks(tokens), _gazetteer_marks(tokens)
    pre_code, after_in = _before_type_code(tokens), _after_in(tokens)
    own, inside = [], []
    stack: list[str] = []
    commas = 0
    for i, t in enumerate(tokens):
        if t in _CLOSE and stack and stack[-1] == _CLOSE[t]:
            stack.pop()
        inside.append("".join(sorted(set(stack))) or "-")
        if t in _OPEN and not (t == "“" and stack and stack[-1] == "q") and len(stack) < 8:
            stack.append(_OPEN[t])
        f = [f"sh={_shape(t)}", f"lex={lex[i]}", f"gaz={gaz[i]}"]
        if t.isdigit():
            f += [f"nd={min(len(t), 5)}"] + (["year"] if _YEAR.fullmatch(t) else [])
        elif t.isalpha():
            low = t.lower()
            f += [f"w={low}", f"suf={low[-3:]}", f"len={min(len(t), 8)}"]
            f += ["han"] if re.match(f"[{HAN}]", t) else []
            f += ["cap"] if t[0].isupper() else []
            f += ["roman"] if _ROMAN.fullmatch(t) else []
            f += ["initial"] if _INITIAL.fullmatch(t) else []
        elif len(t) > 6 and ("://" in t or t.startswith(("www.", "10."))):
            f += ["link"]
        else:
            f += [f"p={t}"]
        commas += t in ",，"
        f += [f"in={inside[-1]}", f"pos={i * 10 // max(n, 1)}", f"commas={min(commas, 6)}"]
        f += ["precode"] if pre_code[i] else []
        f += ["afterin"] if after_in[i] else []
        own.append(f)
    feats = []
    for i in range(n):
        f = list(own[i])
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f += [f"{d}:{x}" for x in own[j] if x.startswith(("sh=", "lex=", "p=", "w=", "in=", "year", "initial"))]
            else:
                f.append(f"{d}:edge")
        feats.append(f)
    if feats:
        feats[0].append("BOS")
        feats[-1].append("EOS")
    return feats


def _tagger():
    return crf_tagger(MODEL_DIR, "reference parsing")


@lru_cache(maxsize=1)
def model_info() -> dict[str, str]:
    """Name and version of the shipped reference-parsing model, for the release manifest."""
    return {"refparse-model": crf_model_name(MODEL_DIR)}


@lru_cache(maxsize=4096)
def iso_date(text: str) -> str | None:
    """ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD) of a written date; the year alone when the rest does not parse."""
    year = _YEAR.search(text)
    if not year:
        return None
    rest = re.sub(r"[\s()\[\].,;:年a-z]", "", text[:year.start()] + text[year.end():], flags=re.I)
    if not rest:
        return year.group()
    try:
        from dateparser.date import DateDataParser
    except ImportError:
        raise MissingExtraError("dateparser", "build", "Reference dates") from None
    data = _date_parser(DateDataParser).get_date_data(text.strip(" ,.;:()[]"))
    if data and data.date_obj and str(data.date_obj.year) == year.group():
        fmt = {"day": "%Y-%m-%d", "month": "%Y-%m"}.get(data.period, "%Y")
        return data.date_obj.strftime(fmt)
    return year.group()


@lru_cache(maxsize=1)
def _date_parser(cls):
    return cls(languages=["en", "zh", "de", "it", "fr", "es"],
               settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"], "STRICT_PARSING": False})


_PERSON_SEP = re.compile(r"\s*(?:;|；|、|，|/|&|\band\b|\bund\b|\bet\b(?!\s*al)|\be\b)\s*")
_INITIALS = re.compile(r"(?:[A-Z][a-z]?\.?[\s-]*)+")


def split_authors(text: str) -> list[str]:
    """One name per person: `A. Smith, B. Jones and C. Wu`, `Shapiro, L.`, `王伟、李静`."""
    names = []
    for part in _PERSON_SEP.split(text):
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        merged: list[str] = []
        for p in pieces:
            if merged and (_INITIALS.fullmatch(p) or (len(pieces) == 2 and len(merged[-1].split()) == 1
                                                     and len(p.split()) <= 2 and " " not in merged[-1]
                                                     and not re.search(f"[{HAN}]", p))):
                merged[-1] = f"{merged[-1]}, {p}"
            else:
                merged.append(p)
        names.extend(merged)
    names = [_ET_AL.sub("", _ROLE_SUFFIX.sub("", _AUTHOR_LEAD.sub("", n))) for n in names]
    return [n.strip(" .,:") if not n.endswith(".") or len(n.split()[-1]) > 3 else n.strip(" ,:")
            for n in names if n.strip(" .,:")]


_EDGE = " \t\n,.;:·/。，；：、"
_QUOTES = "“”\"'‘’«»„《》〈〉「」『』"


def _runs(labels: list[str], spans: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    runs: list[tuple[str, int, int]] = []
    for lab, (s, e) in zip(labels, spans):
        if runs and runs[-1][0] == lab:
            runs[-1] = (lab, runs[-1][1], e)
        else:
            runs.append((lab, s, e))
    return runs


def _clean(value: str, strip_brackets: bool = False) -> str | None:
    value = value.strip(_EDGE + _QUOTES)
    if strip_brackets:
        value = re.sub(r"^[(\[（]\s*|\s*[)\]）]$", "", value).strip(_EDGE + _QUOTES)
        if value.count("(") < value.count(")"):
            value = value.rstrip(")").strip(_EDGE)
    return value or None


_PAIRS = {"“": "”", "„": "“", "«": "»", "《": "》", "〈": "〉", "‘": "’", '"': '"', "「": "」", "『": "』"}


def _quoted(text: str, start: int, end: int) -> str:
    """The title run text[start:end], cut at the quote or 》 that closes the one it opens with; a run that
    starts inside 《…》 or 〈…〉 is the whole bracketed title (the marks bound a title whatever the CRF cut)."""
    for opener, closer in (("《", "》"), ("〈", "〉")):
        before = text.rfind(opener, max(0, start - MAX_TITLE_CHARS), start)
        if before >= 0 and text.find(closer, before, start) < 0:
            close = text.find(closer, start, start + MAX_TITLE_CHARS)
            if close >= end - 1:
                return text[before + 1:close]
    k = start
    while k > 0 and text[k - 1] == " ":
        k -= 1
    opener = text[k - 1] if k > 0 and text[k - 1] in _PAIRS else text[start] if text[start] in _PAIRS else None
    if opener:
        close = text.find(_PAIRS[opener], start + (text[start] == opener), end)
        if close > start:
            return text[start:close]
    return text[start:end]


# A quoted title that the run holds after some words of another field: `van Zanden. “Book Production…”`.
_QUOTED_AFTER_STOP = re.compile(r"^[^“«„\"《]{1,120}?[.,:]\s*([“«„\"《])")


def _quoted_inside(run: str) -> str:
    """The quoted part of a title run that starts with the tail of another field before a quote."""
    m = _QUOTED_AFTER_STOP.match(run)
    if m:
        close = run.find(_PAIRS[m.group(1)], m.end())
        if close > m.end() + 3:
            return run[m.end():close]
    return run


# A person's name heading an unquoted title when the CRF found no author: `Carroll Gillmor, Charles the Bald…`,
# `WORMALD Jenny, The blood feud…`, `B. CECCHETTI, Programma…` (every word capitalised or an initial).
_NAME_HEAD = re.compile(r"((?:[A-Z]\.\s*){0,3}[A-ZÀ-Þ][\w’'-]+(?:\s+(?:[A-Z]\.\s*)*[A-ZÀ-Þ][\w’'-]+){0,2}),\s+(?=\S+\s+\S)")


def _name_before_title(out: dict) -> None:
    head = _NAME_HEAD.match(out["title"])
    if head and len(head.group(1).split()) >= 2:
        out["authors"], out["title"] = head.group(1), out["title"][head.end():]


_WRAPPED_URL = re.compile(r"-\s+([\w.%/-]+)")
_GLUED_SENTENCE = re.compile(r"\.[A-Z][a-z]+$")


def find_url(text: str) -> str | None:
    """The first URL (or DOI link) of a work, mended where a hard wrap split it after a hyphen
    (`10.1007/978-1- 137`) and cut where the next sentence was glued on (`…0004.Min Zhou`)."""
    link = re.search(_URL, text)
    if not link:
        return None
    url = tokenize(link.group())[0][0]
    end = link.start() + len(url)
    for _ in range(3):  # a URL wraps over a few lines at most
        more = _WRAPPED_URL.match(text, end - 1) if url.endswith("-") else None
        if not more:
            break
        url, end = url + more.group(1).rstrip(".,;:)]}"), more.start(1) + len(more.group(1).rstrip(".,;:)]}"))
    return _GLUED_SENTENCE.sub("", url).rstrip("．。，；、")


def _pages(value: str) -> str | None:
    """Pages without their p./pp./S./第…页 words, ranges joined by a hyphen (326～329 -> 326-329)."""
    value = _PAGE_SUFFIX.sub("", _PAGE_PREFIX.sub("", value.strip(_EDGE + "()[]（）"))).strip(_EDGE + "()[]（）")
    value = _PAGE_TAIL.sub("", value)
    return _RANGE_DASH.sub("-", value) or None


def _give_container_its_first_word(tokens: list[str], labels: list[str]) -> list[str]:
    """A title run that ends `…, Acc` right before a container run `Chem. Res.`: the CRF's boundary fell one
    word late (`Acta Materialia`, `International Journal of …`); the word after the title's last comma or stop
    belongs to the container."""
    labels = list(labels)
    for i in range(1, len(labels)):
        if labels[i] != "container" or labels[i - 1] != "title":
            continue
        k = i - 1
        while k >= 0 and labels[k] == "title" and tokens[k] not in ",.":
            k -= 1
        words = [t for t in tokens[k + 1:i] if t.isalpha()]
        if k >= 0 and labels[k] == "title" and len(words) == 1 and words[0][:1].isupper() and i - k <= 3:
            labels[k + 1:i] = ["container"] * (i - k - 1)
    return labels


def _title_before_type_code(text: str, toks: list[tuple[str, int, int]]) -> tuple[str | None, tuple[int, int]]:
    """GB/T 7714: the title is what stands before [M]/[J]/[EB/OL], whatever the CRF cut; its volume
    (`：第31卷`) is not. (title, its character span) or (None, (0, 0))."""
    marked = _before_type_code([t for t, _, _ in toks])
    if not any(marked):
        return None, (0, 0)
    first = last = marked.index(True)
    while last + 1 < len(marked) and marked[last + 1]:
        last += 1
    span = (toks[first][1], toks[last][2])
    title = _clean(_VOLUME_AFTER_TITLE.sub("", text[span[0]:span[1]]))
    return (title, span) if title and len(title) > 1 else (None, (0, 0))


_BOOK_TITLE = re.compile(r"《([^《》]{1,300})》")
_AFTER_DOUBLE_SLASH = re.compile(r"\]\s*//\s*([^.．]{1,300})(?:[.．]\s*([^.．]{1,300}))?")
_EDITOR_NAMES = re.compile(f"^[{HAN}]{{2,4}}(?:\\s*[,，、]\\s*[{HAN}]{{2,4}})*(?:\\s*等)?\\s*(?:主?编)?$")


def _container_by_marks(text: str) -> list[str]:
    """The container where the CRF named none but the marks do: the second 《…》 of a Chinese note
    (`《文章》，载某某主编：《文集》`), or what follows a GB/T `[M]//` (after its editors' names)."""
    books = _BOOK_TITLE.findall(text)
    if len(books) >= 2:
        return [books[1]]
    part = _AFTER_DOUBLE_SLASH.search(text)
    if part:
        name = part.group(2) if _EDITOR_NAMES.match(part.group(1).strip()) and part.group(2) else part.group(1)
        return [_VOLUME_AFTER_TITLE.sub("", name)]
    return []


def _last_page_list(text: str, runs: list[tuple[str, int, int]]) -> str:
    """The last pages run, with the pages runs just before it that only a comma parts from it
    (`pp. 62, 67, 73` that the CRF cut in three)."""
    spans = [(s, e) for lab, s, e in runs if lab == "pages"]
    start, end = spans[-1]
    for s, e in reversed(spans[:-1]):
        if text[e:start].strip() != ",":
            break
        start = s
    return text[start:end]


def _label_runs(toks: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    words = [t for t, _, _ in toks]
    labels = _give_container_its_first_word(words, _tagger().tag(token_features(words)))
    return _runs(labels, [(s, e) for _, s, e in toks])


def label_spans(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of each run of tokens the CRF gave one label, offsets into `text`."""
    return _label_runs(tokenize(text[:MAX_CHARS]))


# A work's publication status after its journal (`Yale Law Review, forthcoming`) is no part of the journal's name.
_PUBLICATION_STATUS = re.compile(r"[,;]?\s*\b(?:forthcoming|in press|to appear|accepted for publication)\W*$", re.I)


def parse_reference(text: str) -> dict:
    """authors, title, container, date, pages, volume, issue, url, doi and kind of one cited work.

    kind: `ibid` (Ibid., Id., ebd., Ivi, 同上), `short_form` (op. cit., cit., 前引), else `source`.
    """
    text = text[:MAX_CHARS]
    toks = tokenize(text)
    out = {"authors": None, "title": None, "container": None, "date": None, "pages": None, "volume": None,
           "issue": None, "url": None, "doi": None, "kind": "source"}
    if not toks:
        return out
    runs = _label_runs(toks)
    fields: dict[str, list[str]] = {}
    code_title, code_span = _title_before_type_code(text, toks)
    for lab, s, e in runs:
        if lab == "author" and code_span[1] and s >= code_span[0]:
            continue  # GB/T 7714 puts the authors before the title: words of it or after it are no author
        fields.setdefault(lab, []).append(_quoted(text, s, e) if lab in ("title", "container") else text[s:e])
    # A year right after a title or page word is the title's own (`… fino al 1514`) or a page (`pp. 1624–1626`):
    # the work's date is the first date run that follows something else, if there is one.
    dates = [text[s:e] for k, (lab, s, e) in enumerate(runs)
             if lab == "date" and not (k and runs[k - 1][0] in ("title", "pages"))]
    runs_of_authors = [_AFTER_AUTHOR_ROLE.sub("", run) for run in fields.get("author", [])]
    glued = _HAN_NAME_THEN_TITLE.match(runs_of_authors[0]) if runs_of_authors and "title" not in fields else None
    if glued:
        runs_of_authors[0] = glued.group(1)
        fields["title"] = [glued.group(2)]
    authors = [n for run in runs_of_authors for n in split_authors(_clean(run) or "")]
    out["authors"] = "; ".join(authors) or None
    out["title"] = _clean(_quoted_inside(fields["title"][0]), True) if "title" in fields else None
    if out["title"] and not out["authors"]:
        _name_before_title(out)
    if code_title:
        out["title"] = code_title
    container = fields.get("container") or _container_by_marks(text) or fields.get("publisher")
    out["container"] = _clean(_PUBLICATION_STATUS.sub("", _CONTAINER_LEAD.sub("", _clean(container[0]) or "")),
                              True) if container else None
    out["date"] = next((d for d in map(iso_date, dates + fields.get("date", [])) if d), None)
    out["pages"] = _pages(_last_page_list(text, runs)) if "pages" in fields else None
    for name in ("volume", "issue"):
        out[name] = _clean(fields[name][0], True) if name in fields else None
    out["url"] = find_url(text)
    doi = re.search(_DOI, text)
    out["doi"] = tokenize(doi.group())[0][0] if doi else None
    short = _SHORT_WORDS.search(text)
    if _IBID_START.match(text) and not out["title"]:
        out["kind"] = "ibid"
    elif short:
        out["kind"] = "short_form"
        _short_title(text[:short.start()], out)
    return out


def _short_title(head: str, out: dict) -> None:
    """`Author, Short title…, cit.`: what stands before cit./op. cit. is the author and the short title.
    It fills what the CRF left empty, and takes the short title back from an author run that swallowed it."""
    parts = [p.strip(_EDGE + "…") for p in _AUTHOR_LEAD.sub("", head.strip()).split(",") if p.strip(_EDGE + "…")]
    if not parts or _IBID_START.match(parts[0]):
        return
    if len(parts) == 1:
        if not out["title"] and parts[0] != out["authors"] and not re.search(f"[{HAN}]", parts[0]):
            out["title"] = parts[0]
        return
    author, rest = parts[0], parts[1:]
    if _INITIALS.fullmatch(rest[0]) and len(rest) > 1:  # `Rossi, A., Title`
        author, rest = f"{author}, {rest[0]}", rest[1:]
    crf_author = out["authors"] or ""
    swallowed = crf_author.startswith(author) and crf_author != author
    if not crf_author or swallowed or (crf_author == author and not out["title"]):
        out["authors"] = author
        out["title"] = ", ".join(rest)
