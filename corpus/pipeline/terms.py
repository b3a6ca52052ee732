"""Terms: the English-Chinese glossary, one row per English gloss written next to its Chinese original.

Layouts, as translators write them (either order):
- English then Chinese: `urban subdistricts (街道)`, `“grid management system” 网格化管理系统`,
  `the Snow Bright Project 雪亮工程`, a quotation holding both (`a “lost soul 游魂.”`, a note's
  `“Title of the Article 文章的标题,”`);
- Chinese then bracketed English: `归本大易 (Returning to the Yijing)`, a note's `"中华救国论" [On saving China]`;
- a romanization and its characters: `Tianxia 天下`, `Lei Yi 雷颐`, `the School of Mind xinxue 心学` (two pairs);
- parallel lists: `Yao, Shun and Yu 尧、舜、禹` gives three pairs.

A romanization is recognised by matching the English letters against every pypinyin reading of the
characters (tones and hyphens dropped), so its extent is exact and its `pinyin` is recorded. `english` is
the whole gloss a reader would cite: no leading article, possessive or honorific. `kind`: `name` for a
person (a surname from the Hundred Family Surnames table, data/terms_surnames.txt, with a matching
romanization, or jieba's person tag), `title` for a work's title (a note's `中文 [English]`, or 《》), and
`term` for everything else. Every search looks back a bounded window from a Chinese run, so the work
is linear in the paragraph's length.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd
import regex

from ..card import md_table
from ..tables import frame
from ..text import HAN_CLASS, han_variant
from .layer import Layer, Mark, SiteMarks, dists

__all__ = ["terms", "find_terms"]

_H = HAN_CLASS
# A Chinese run: Han characters joined by the punctuation Chinese titles and lists carry inside them
# (、，：·—？ and quotes), a lone capital inside (阿Q正传), a spaced colon or dash (思想的钝化 : 中国…).
_JOIN = r"[·・、，；．.？！“”「」‘’《》〈〉（）]|\s?[:：—–\-]{1,2}\s?"
_RUN = regex.compile(rf"[{_H}](?:[{_H}0-9]|[A-Z](?=[{_H}])|(?:{_JOIN})(?=[{_H}“「《（]))*[？?+]?[）》」』]?")
_AFTER = regex.compile(r"[”\"’」》]?_?\s*(?:\(([^()\n]{1,300})\)|\[([^\[\]\n]{1,300})\]|（([^（）\n]{1,300})）)")
_SHARED = regex.compile(r"\s+([^()（）\[\]\n,;]{1,120})[)）\]]")
_HAN_CHAR = regex.compile(f"[{_H}]")
_POSSESSIVE = regex.compile(r"[’']s?$")
_WORD = regex.compile(r"\p{Latin}[\p{Latin}\p{M}’'\-]*|\d+")
_LATIN = regex.compile(r"\p{Latin}{2}")
_LATIN_LETTER = regex.compile(r"\p{Latin}")
_OPEN_QUOTES = "“‘\""
_CLOSE_QUOTES = "”’\""
_WINDOW = 300
# Small words inside a capitalised name or title (`Classic of the Way and its Power`).
_SMALL = {"of", "the", "and", "for", "in", "on", "to", "a", "an", "with", "its", "their"}
_STOP = _SMALL | {"at", "by", "from", "as", "or", "into", "over", "under", "between", "against", "vs", "is", "are", "was", "were", "be", "been", "this", "these", "that", "those", "which", "who", "such",
                  "called", "known", "termed", "named", "so-called", "than", "but", "also", "include", "including",
                  "his", "her", "our", "my", "your", "it", "he", "she", "they", "we", "i", "not", "term", "terms",
                  "word", "words", "phrase", "concept", "uses", "use", "used", "means", "meaning", "refers", "i.e",
                  "e.g", "see", "lit", "literally", "has", "have", "had", "will", "would", "can", "could", "expression", "idiom",
                  "saying", "slogan", "notion", "characters", "translate", "translates", "translated", "entitled",
                  "like", "us", "them", "him", "each", "every", "some", "any", "million", "billion", "thousand", "hundred", "dozens", "about", "what", "how", "one", "two"}
_HONORIFICS = {"Premier", "President", "Chairman", "General", "Secretary", "Minister", "Vice", "Professor", "Dr",
               "Mr", "Ms", "Mrs", "Governor", "Mayor", "Director", "Emperor", "King", "Master", "Prof"}
_LEADING = regex.compile(r"^(?:(?:lit\.|literally|i\.e\.,?|e\.g\.,?|or|the|a|an|see)\s+)+", regex.I)
_MAX_GLOSS_WORDS = 30


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset, frozenset]:
    lines = (Path(__file__).parent / "data" / "terms_surnames.txt").read_text(encoding="utf-8").splitlines()
    names = [l.strip() for l in lines if l.strip() and not l.startswith("#")]
    return frozenset(n for n in names if len(n) == 1), frozenset(n for n in names if len(n) == 2)


@lru_cache(maxsize=4096)
def _jieba_person(chinese: str) -> bool:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    tokens = jieba.posseg.lcut(chinese)
    return len(tokens) == 1 and tokens[0].flag == "nr"


@lru_cache(maxsize=4096)
def _readings(chinese: str) -> tuple[tuple[str, ...], ...]:
    """Every toneless pypinyin reading of each Han character (ü written u)."""
    from pypinyin import Style, pinyin

    han = "".join(_HAN_CHAR.findall(chinese))
    if not han:
        return ()
    return tuple(tuple(sorted({r.replace("ü", "u").replace("v", "u") for r in readings}))
                 for readings in pinyin(han, style=Style.NORMAL, heteronym=True, errors="ignore"))


def _letters(words: list[str]) -> str:
    s = unicodedata.normalize("NFD", _POSSESSIVE.sub("", "".join(words)).lower())
    return "".join(c for c in s if "a" <= c <= "z")


def _romanizes(words: list[str], chinese: str) -> str | None:
    """The pinyin (syllables joined by spaces) when `words` spell `chinese` in pinyin, else None."""
    readings, target = _readings(chinese), _letters(words)
    if not readings or not target or len(target) > 8 * len(readings):
        return None
    # Positions of `target` reachable after each character: at most len(target) states per character.
    states = {0: ()}
    for options in readings:
        nxt = {}
        for pos, spelled in states.items():
            for r in options:
                if target.startswith(r, pos) and pos + len(r) not in nxt:
                    nxt[pos + len(r)] = spelled + (r,)
        states = nxt
        if not states:
            return None
    return " ".join(states[len(target)]) if len(target) in states else None


def _is_person(english: str, chinese: str, pinyin: str | None) -> bool:
    words = english.split()
    han = "".join(_HAN_CHAR.findall(chinese))
    if not (1 <= len(words) <= 4 and 1 <= len(han) <= 4 and all(w[:1].isupper() for w in words)):
        return False
    singles, compounds = _surnames()
    surname = han[:2] in compounds or han[0] in singles
    if pinyin is not None:
        # `Lei Yi`: surname and given name written apart; one word (`Huanggang`) is a place unless jieba says person.
        return (surname and len(han) >= 2 and len(words) >= 2) or _jieba_person(han)
    return len(han) >= 2 and surname and _jieba_person(han)


def _kind(english: str, chinese: str, pinyin: str | None, layout: str, in_note: bool) -> str:
    if chinese.startswith("《") or (in_note and layout == "after"):
        return "title"
    return "name" if _is_person(english, chinese, pinyin) else "term"


_LIFE_DATES = regex.compile(r"(?:,?\s*(?:r\.|b\.|d\.|c\.)?\s*\(?\d{3,4}\s*[-–]\s*\d{2,4}\)?(?:\s*(?:BCE|CE|BC|AD))?)$")


def _max_words(chinese: str) -> int:
    """More English words than this for `chinese` is a sentence around the term, not its gloss."""
    return 2 * len(chinese) + 2


def _clean_english(english: str) -> str:
    english = _LIFE_DATES.sub("", english.strip()).strip(" _*,;:.-–—")
    if len(english) > 2 and english[0] in "“\"‘" and english[-1] in "”\"’":
        english = english[1:-1]
    english = _LEADING.sub("", english).strip(" _*,;:")
    return _POSSESSIVE.sub("", english).strip()


def _words_before(head: str, chinese: str) -> list[regex.Match]:
    """The words at the end of `head` joined by spaces or hyphens, nearest last; a colon or question mark
    joins them too when the Chinese has one in the same place (`China: A Rational Country 中国：理性之国`)."""
    words = list(_WORD.finditer(head))
    picked = []
    end = len(head.rstrip(" _*-–—"))
    joins = {""} | ({":"} if "：" in chinese or ":" in chinese else set()) | (
        {"?"} if "？" in chinese[:-1] or "?" in chinese[:-1] else set())
    for m in reversed(words):
        if head[m.end():end].strip(" _*") not in joins:
            break
        picked.append(m)
        end = m.start()
        if len(picked) >= _MAX_GLOSS_WORDS:
            break
    return picked[::-1]


_QUOTED_WORDS = regex.compile(r"[“\"‘]([^”\"’]{1,120})[”\"’]")
_CLAUSE = regex.compile(r"[^,;—–(]+")
_APOSTROPHE_END = regex.compile(r"\p{L}’s?$")
_SENTENCE_END = regex.compile(r"[.!?]\s+\p{Lu}")
_LIST_SEPARATOR = regex.compile(r"[、，,]")
_LIST_ITEM = regex.compile(r"\p{Lu}[\p{L}’'\-]*(?: \p{Lu}[\p{L}’'\-]*){0,3}")
_ENGLISH_LIST = regex.compile(rf"((?:{_LIST_ITEM.pattern}, )+{_LIST_ITEM.pattern},? (?:and|or) {_LIST_ITEM.pattern}|"
                              rf"(?:{_LIST_ITEM.pattern}, )+{_LIST_ITEM.pattern})[ _*]*$")
_LITERAL = regex.compile(r"^(?:lit\.|literally)[,:]?\s+", regex.I)
_EXPLAINS = regex.compile(r"^(?:i\.\s?e\.?|e\.\s?g\.?|which|who|whose|where|when|see|cf\.)\b", regex.I)


def _bracket_gloss(inner: str) -> tuple[int, str] | None:
    """(offset, gloss) of the English in brackets after Chinese: a literal translation's quoted words or
    its first clause; None for an explanation (`i.e., ...`, `which ...`) or no English."""
    if not _LATIN.search(inner) or _HAN_CHAR.search(inner) or _EXPLAINS.match(inner.strip()):
        return None
    lit = _LITERAL.match(inner)
    if lit is None:
        return 0, inner
    rest = inner[lit.end():]
    quoted = _QUOTED_WORDS.match(rest)
    if quoted:
        return lit.end() + 1, quoted.group(1)
    clause = _CLAUSE.match(rest)
    return (lit.end(), clause.group().rstrip()) if clause else None


def _quoted_before(head: str) -> tuple[int, str] | None:
    """`“gloss” ` right before the Chinese: (start of the gloss in head, gloss)."""
    tail = head.rstrip(" _*,:")
    if not tail or tail[-1] not in _CLOSE_QUOTES:
        return None
    close = len(tail) - 1
    if tail[-1] == "’" and close > 0 and tail[close - 1].isalpha() and _APOSTROPHE_END.search(tail):
        return None  # an apostrophe, not a closing quote
    opening = max(tail.rfind(q, 0, close) for q in _OPEN_QUOTES)
    if opening < 0:
        return None
    inner = tail[opening + 1:close]
    if not _LATIN.search(inner) or _HAN_CHAR.search(inner) or len(inner.split()) > _MAX_GLOSS_WORDS:
        return None
    return opening + 1, inner


def _open_quote_before(head: str) -> tuple[int, str] | None:
    """An opened, unclosed quotation whose English runs up to the Chinese (`“lost soul 游魂.”`)."""
    starts = [head.rfind(q) for q in "“‘"]
    opening = max(starts)
    if opening < 0:
        return None
    inner = head[opening + 1:]
    if any(q in inner for q in "”\"") or _HAN_CHAR.search(inner) or not _LATIN.search(inner):
        return None
    if _SENTENCE_END.search(inner) or len(inner.split()) > _MAX_GLOSS_WORDS:
        return None  # a sentence ends inside: the quotation is not the gloss
    return opening + 1, inner


def _capitalised(picked: list[regex.Match]) -> list[regex.Match]:
    """The longest tail of `picked` that reads as a name or title: capitalised words and the small
    words between them, after the owner of a possessive."""
    out: list[regex.Match] = []
    for m in reversed(picked):
        w = m.group()
        if w[:1].isupper() or w[:1].isdigit() or (w.lower() in _SMALL and out):
            if _POSSESSIVE.search(w) and out:
                break  # Xiong’s On Confucianism: the owner is not part of the title
            out.append(m)
        else:
            break
    while out and (out[-1].group() in _SMALL or out[-1].group()[:1].isdigit()):
        out.pop()  # a title may start with `On`, not with `of`
    while len(out) > 2 and out[-1].group() in _HONORIFICS:
        out.pop()
    return out[::-1]


def _lowercase(picked: list[regex.Match]) -> tuple[list[regex.Match], bool]:
    """A lowercase gloss of up to three words that starts after a function word or punctuation
    (`courses on national studies 国学`); `X of Y` joins (`sheet of loose sand`). The flag is True when
    the phrase goes on further back, so that its start is not known (`even smaller neighborhood organizations`)."""
    out: list[regex.Match] = []
    i = len(picked) - 1
    while i >= 0 and len(out) < 3:
        w = picked[i].group()
        if w.lower() in _STOP or w[:1].isdigit():
            break
        out.append(picked[i])
        i -= 1
    if not out:
        return [], False
    if i >= 0 and picked[i].group().lower() not in _STOP and not picked[i].group()[:1].isdigit():
        return out[::-1], True
    if i >= 0 and picked[i].group().lower() in ("and", "or"):
        return out[::-1], True  # the second half of a coordination: the gloss may be the whole of it
    if i >= 1 and picked[i].group() == "of" and picked[i - 1].group().islower() and \
            picked[i - 1].group() not in _STOP:
        out += [picked[i], picked[i - 1]]
    return out[::-1], False


def _list_pairs(head: str, chinese: str, base: int) -> list[tuple[int, int, str, str]]:
    """`Yao, Shun and Yu 尧、舜、禹`: (start, end, english, chinese) of each item when both lists have as many."""
    parts = [p for p in _LIST_SEPARATOR.split(chinese) if p]
    if len(parts) < 2:
        return []
    m = _ENGLISH_LIST.search(head[-200:])
    if not m:
        return []
    base += len(head) - len(head[-200:])
    items = list(_LIST_ITEM.finditer(m.group(1)))
    if len(items) != len(parts):
        return []
    out = []
    for it, zh in zip(items, parts):
        start = base + m.start(1) + it.start()
        out.append((start, start + len(it.group()), it.group(), zh))
    return out


_PAREN_ZH = regex.compile(r"^([^（()]+)[（(]([^（()）]+)[）)]$")
_PAREN_EN = regex.compile(r"^([^()]+?)\s*\(([^()]+)\)$")


def _parallel_parts(english: str, chinese: str) -> list[tuple[str, str]]:
    """A bracketed part on both sides is its own pair: `深圳大学学报（人文社会科学版）` and `Shenzhen University
    Journal (Humanities and Social Sciences Edition)` give the journal and the edition."""
    zh, en = _PAREN_ZH.match(chinese), _PAREN_EN.match(english)
    if zh and en:
        return [(en.group(1).strip(), zh.group(1)), (en.group(2).strip(), zh.group(2))]
    return [(english, chinese)]


def find_terms(text: str, in_note: bool = False, chinese_page: bool = False
               ) -> list[tuple[int, int, str, str, str, str | None]]:
    """(start, end, english, chinese, kind, pinyin) of every gloss pair in one paragraph; start and end
    cover the pair as written (text[start:end] holds both). On a Chinese page (`chinese_page`) only a
    bracket pairs English with Chinese (世界贸易组织（WTO）, Belt and Road (一带一路)): English words next to
    Chinese there are links and names of their own (`BBC 中文`, `Beijing 北京健康宝`), not translations."""
    return [found[:6] for found in _find(text, in_note, chinese_page) if found[6] != "open"]


def _find(text: str, in_note: bool, chinese_page: bool = False
          ) -> list[tuple[int, int, str, str, str, str | None, str]]:
    """find_terms' pairs with their layout: `before`, `after`, or `open` (a lowercase gloss whose start
    is not known, kept only where the document glosses the same Chinese with its shorter tail)."""
    found = set()
    previous_end = 0
    for run in _RUN.finditer(text):
        s, e = run.start(), run.end()
        # A gloss never holds Chinese: look back no further than the previous run (and a bounded window).
        lo, previous_end = max(previous_end, s - _WINDOW), e
        chinese = run.group().strip("“”「」‘’《》 ").rstrip("，、：:")
        if not chinese:
            continue
        head = text[lo:s]
        # `One Mind (一心, Sanskrit: ekacitta)`, `urban subdistricts (街道)`: the gloss is before the bracket;
        # `xin (心 heart/mind)`: the English shares the bracket.
        bracketed = head.rstrip().endswith(("(", "（", "["))
        if bracketed:
            head = head.rstrip()[:-1]
        pairs: list[tuple[int, int, str, str | None, str]] = []  # (start, end, english, pinyin, layout)
        after = _SHARED.match(text, e) if bracketed else _AFTER.match(text, e)
        if after is not None:
            inner = next(g for g in after.groups() if g is not None)
            a = after.start() + after.group(0).index(inner)
            gloss = _bracket_gloss(inner)
            if gloss is not None:
                a += gloss[0]
                pairs.append((a, a + len(gloss[1]), gloss[1], None, "after"))
        if chinese_page and not bracketed:
            pairs = [pair for pair in pairs if pair[4] == "after"]
            if pairs:
                term = _last_phrase(chinese)
                s, chinese = s + run.group().rindex(term), term
            for a, b, english, pinyin, layout in pairs:
                _add(found, text, a, b, s, e, _clean_english(english), chinese, pinyin, layout, in_note)
            continue
        # `"中华救国论" [On saving China]`: a quote mark touching the Chinese opens the Chinese, not an English gloss.
        quoted_chinese = s > 0 and text[s - 1] in "“\"‘「《"
        quoted = None if quoted_chinese else (_quoted_before(head) or _open_quote_before(head))
        if quoted is not None and len(quoted[1].split()) > _max_words(chinese):
            quoted = None  # a quotation around the term, not its gloss
        if quoted is not None:
            a, inner = quoted
            pairs.append((lo + a, lo + a + len(inner), inner, None, "before"))
        picked = [] if quoted is not None else _words_before(head, chinese)
        roman = None
        for k in range(1, min(len(picked), 8) + 1):
            words = [m.group() for m in picked[-k:]]
            roman = _romanizes(words, chinese)
            if roman is not None:
                a, b = lo + picked[-k].start(), lo + picked[-1].end()
                pairs.append((a, b, text[a:b], roman, "before"))
                rest = picked[:-k]
                alternative = bool(rest) and rest[-1].group().lower() == "or"
                if alternative:
                    rest = rest[:-1]  # `the Cheng-Zhu School or Cheng-Zhu lixue 程朱理学`
                # `the School of Mind xinxue 心学`: a term's romanization after its translation; a name's
                # romanization (`Professor Ai Xiaoming`) has no translation before it.
                translation = _capitalised(rest) if alternative or words[-1].islower() else []
                if translation:
                    a, b = lo + translation[0].start(), lo + translation[-1].end()
                    pairs.append((a, b, text[a:b], None, "before"))
                break
        if roman is None and quoted is None:
            listed = _list_pairs(head, chinese, lo)
            romans = [_romanizes(english.split(), zh) for _, _, english, zh in listed]
            # A list of romanized single names (Yao, Shun and Yu 尧、舜、禹) names people throughout.
            people = all(r is not None and len(zh) <= 3 for r, (_, _, _, zh) in zip(romans, listed))
            for (a, b, english, zh), roman_item in zip(listed, romans):
                kind = "name" if people else _kind(english, zh, roman_item, "before", in_note)
                found.add((min(a, s), max(b, e), english, zh, kind, roman_item, "before"))
            if not listed and not any(layout == "after" for *_, layout in pairs):
                gloss, layout = _capitalised(picked), "before"
                if not gloss:
                    gloss, unknown_start = _lowercase(picked)
                    layout = "open" if unknown_start else "before"
                    if 3 * len(gloss) < len(_HAN_CHAR.findall(chinese)):
                        gloss = []  # one word for a four-character idiom is the end of a longer gloss
                if gloss and not (len(gloss) == 1 and gloss[0].group().lower() in _STOP):
                    a, b = lo + gloss[0].start(), lo + gloss[-1].end()
                    pairs.append((a, b, text[a:b], None, layout))
        for a, b, english, pinyin, layout in pairs:
            _add(found, text, a, b, s, e, _clean_english(english), chinese, pinyin, layout, in_note)
    return sorted(found)


# jieba's tags of the words a Chinese term never spans: punctuation, particles, prepositions, conjunctions, pronouns.
_PHRASE_BREAKS = ("x", "u", "p", "c", "r")


def _last_phrase(chinese: str) -> str:
    """The phrase a bracket after a Chinese sentence glosses: the words after its last punctuation, particle,
    preposition, conjunction or pronoun and the verbs and adverbs before it (发布了报告，中国的一带一路 -> 一带一路)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    words = jieba.posseg.lcut(chinese)
    cut = max((i + 1 for i, w in enumerate(words) if w.flag.startswith(_PHRASE_BREAKS)), default=0)
    while cut < len(words) - 1 and words[cut].flag in ("v", "d"):
        cut += 1  # the verbs and adverbs that govern the term (要推进世界贸易组织 -> 世界贸易组织)
    phrase = "".join(w.word for w in words[cut:])
    return phrase if _HAN_CHAR.search(phrase) else chinese


def _add(found: set, text: str, a: int, b: int, s: int, e: int, english: str, chinese: str, pinyin: str | None,
         layout: str, in_note: bool) -> None:
    """Add the pair of the English at text[a:b] (cleaned: `english`) and the Chinese run at text[s:e]."""
    if not _LATIN.search(english) or len(english.split()) > _max_words(chinese):
        return  # far more words than characters: a sentence around the term, not its gloss
    if layout == "before" and pinyin is None and len(english.split()) > 2 and _is_person("X", chinese, None):
        english = " ".join(english.split()[-2:])  # `Alibaba CEO Jack Ma 马云`: the name
    start, end = min(a, s), max(b, e)
    # The pair as written takes in the quote marks and brackets around its parts.
    if start > 0 and text[start - 1] in "“‘\"([（":
        start -= 1
    if end < len(text) and text[end] in "”’\")]）" and text[start] in "“‘\"([（":
        end += 1
    for en, zh in _parallel_parts(english, chinese):
        found.add((start, end, en, zh, _kind(en, zh, pinyin, layout, in_note), pinyin, layout))


def _consistent(rows: list[dict]) -> list[dict]:
    """Within a document, a gloss that ends with a shorter gloss of the same Chinese is cut to it:
    `existed even smaller neighborhood organizations (社区)` → `neighborhood organizations`. A gloss whose
    start is not known (`open`) is kept only when so cut."""
    by_chinese: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        if not r["open"]:
            by_chinese.setdefault((r["doc_id"], r["chinese"]), set()).add(r["english"])
    for r in rows:
        shorter = [e for e in by_chinese.get((r["doc_id"], r["chinese"]), ())
                   if len(e) < len(r["english"]) and r["english"].endswith(" " + e)]
        if shorter:
            e = max(shorter, key=len)
            cut = r["english"].rindex(e)
            start_in_text = r["text"].find(r["english"])
            if start_in_text >= 0 and r["text"].find(r["chinese"]) > start_in_text:
                r["char_start"] += start_in_text + cut
                r["text"] = r["text"][start_in_text + cut:]
                r["english"] = e
                r["term_id"] = f"{r['doc_id']}-g{r['char_start']:07d}"
                r["open"] = False
    return [r for r in rows if not r.pop("open")]


def _chinese_pages(paragraphs: pd.DataFrame) -> set[str]:
    """Documents with more Han characters than Latin letters: Chinese pages, where English words are
    their own names and links, not glosses."""
    han: dict[str, int] = {}
    latin: dict[str, int] = {}
    for doc_id, text in zip(paragraphs["doc_id"], paragraphs["text"]):
        han[doc_id] = han.get(doc_id, 0) + len(_HAN_CHAR.findall(text))
        latin[doc_id] = latin.get(doc_id, 0) + len(_LATIN_LETTER.findall(text))
    return {doc_id for doc_id in han if han[doc_id] > latin[doc_id]}


@lru_cache(maxsize=4096)
def _reading(chinese: str) -> str | None:
    """pypinyin's reading of the Han characters of `chinese` in context, toneless syllables with ü."""
    from pypinyin import lazy_pinyin

    han = "".join(_HAN_CHAR.findall(chinese))
    return " ".join(lazy_pinyin(han, v_to_u=True)) if han else None


def terms(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """terms: term_id, doc_id, paragraph_id, english, chinese, text, char_start, char_end, kind, variant, pinyin."""
    rows = []
    chinese_pages = _chinese_pages(paragraphs)
    for p in paragraphs.itertuples(index=False):
        in_note = p.kind in ("note", "footnote")
        for a, b, english, chinese, kind, pinyin, layout in _find(p.text, in_note, p.doc_id in chinese_pages):
            start = p.char_start + a
            rows.append({"term_id": f"{p.doc_id}-g{start:07d}", "doc_id": p.doc_id, "paragraph_id": p.paragraph_id,
                         "english": english, "chinese": chinese, "text": p.text[a:b], "char_start": start,
                         "char_end": p.char_start + b, "kind": kind, "variant": han_variant(chinese),
                         "pinyin": pinyin or _reading(chinese), "open": layout == "open"})
    rows = _consistent(rows)
    # One row per occurrence: two glosses of one Chinese run starting at the same place get ids apart.
    seen: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: (r["char_start"], r["char_end"], r["english"], r["chinese"])):
        n = seen.get(r["term_id"], 0)
        seen[r["term_id"]] = n + 1
        if n:
            r["term_id"] = f"{r['term_id']}-{n}"
    return frame("terms", rows)


def _terms(tables, config):
    return {"terms": terms(tables["paragraphs"])}


def _card(tables, baselines) -> dict[str, str]:
    return {"glossary": md_table(baselines["glossary"].drop(columns=["paragraphs"]))} if "glossary" in baselines else {}


def _site_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    marks = []
    for t in by_doc["terms"].get(doc_id, ()):
        gloss = f"{t['english']} = {t['chinese']}" + (f" ({t['pinyin']})" if t.get("pinyin") else "")
        marks.append(Mark(t["char_start"], t["char_end"], "span",
                          (("class", "term"), ("data-english", t["english"]), ("data-chinese", t["chinese"]),
                           ("data-kind", t.get("kind")), ("title", gloss)),
                          (("id", f"term-{t['term_id']}"),), rank=2))
    return marks


LAYER = Layer("terms", needs=("paragraphs",), produces=("terms",), run=_terms, tools=dists("pypinyin", "jieba"),
              card=_card, site=(SiteMarks("terms", None, _site_marks, ("term", "Glossary terms")),))
