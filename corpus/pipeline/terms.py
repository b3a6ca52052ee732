"""Terms: the English-Chinese glossary, one row per English gloss written next to its Chinese original.

Patterns, as authors write them:
- a gloss then the Chinese in brackets: `“grid management system” (网格化管理系统)`, `urban subdistricts (街道)`;
- a capitalised English name or title directly followed by the Chinese: `the Snow Bright Project 雪亮工程`,
  `Xi Jinping’s 习近平`, `Minxin Pei 裴敏欣`.
`english` is trimmed to the gloss (no quotes, determiner or possessive); `chinese` is the Han run.
"""

from __future__ import annotations

import re

import pandas as pd

from ..tables import frame
from .scripts import HAN, han_variant

__all__ = ["terms", "find_terms"]

_RUN = f"[{HAN}](?:[{HAN}0-9]|[ ]?[,:·+][ ]?(?=[{HAN}]))*\\+?"
_BRACKETED = re.compile(rf"\(\s*({_RUN})\s*\)")
_BARE = re.compile(rf"(?<=[\w’'”)] )({_RUN})")
_QUOTED_BEFORE = re.compile(r"(?:“([^“”]{1,160})”|\"([^\"]{1,160})\"|‘((?:[^‘’]|’(?=\w)){1,160})’)[,.]?\s*$")
_HONORIFICS = {"Premier", "President", "Chairman", "General", "Secretary", "Minister", "Vice", "Professor", "Dr", "Mr",
               "Ms", "Mrs", "Governor", "Mayor", "Director"}
_STOP = {"the", "a", "an", "and", "or", "as", "by", "in", "to", "with", "for", "that", "which", "is", "are", "was",
         "were", "be", "on", "at", "from", "its", "their", "his", "her", "this", "these", "such", "called", "known",
         "termed", "named", "so-called", "of", "into", "than", "but", "also", "include", "including"}
_SMALL = {"of", "the", "and", "for", "in", "on", "to", "over", "+"}
_SURNAMES = {"xi", "li", "zhang", "wang", "pei", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu", "xu", "sun", "hu",
             "zhu", "gao", "lin", "he", "guo", "ma", "luo", "liang", "song", "zheng", "xie", "han", "tang", "feng", "yu",
             "dong", "xiao", "cheng", "cao", "yuan", "deng", "fu", "shen", "zeng", "peng", "lu", "su", "jiang", "cai",
             "jia", "ding", "wei", "ye", "pan", "du", "dai", "xia", "zhong", "tian", "ren", "fan", "fang", "shi", "yao",
             "tan", "jin", "qian", "qi", "mao", "bo", "wen", "kong"}
_WORD = re.compile(r"[A-Za-z][\w’'\-]*|\+")


def _kind(english: str, chinese: str, quoted: bool) -> str:
    words = english.split()
    if quoted and len(words) > 5:
        return "quote"
    if 2 <= len(words) <= 3 and 2 <= len(chinese) <= 4 and all(w[:1].isupper() for w in words) and (
            words[0].lower() in _SURNAMES or words[-1].lower() in _SURNAMES):
        return "name"
    return "title" if quoted and english[:1].isupper() else "term"


def _trim_possessive(word: str) -> str:
    return re.sub(r"[’']s?$", "", word)


def _gloss_before(text: str, end: int, capitalised_only: bool) -> tuple[int, str, bool] | None:
    """(start, english, quoted) of the gloss that ends at `end`, or None."""
    head = text[:end].rstrip()
    quoted = _QUOTED_BEFORE.search(head[-140:])
    if quoted and not capitalised_only:
        inner = next(g for g in quoted.groups() if g is not None)
        start = len(head) - len(quoted.group(0)) + quoted.group(0).index(inner) - 1
        return start, inner.strip(" ,.;:"), True
    if not capitalised_only and re.search(r"[’']s?$", head):
        return None  # `Beijing’s (北京健康宝)`: the owner of the thing named, not its gloss
    words = list(_WORD.finditer(head[-160:]))
    offset = len(head) - len(head[-160:])
    picked = []
    for m in reversed(words):
        w = m.group()
        gap = head[offset + m.end():offset + (picked[-1].start() if picked else len(head[-160:]))]
        if picked and gap.strip() not in ("", "+"):
            break
        if capitalised_only:
            if not (w[:1].isupper() or (w.lower() in _SMALL and picked)):
                break
        elif w.lower() in _STOP:
            break
        picked.append(m)
        if len(picked) >= 8:
            break
    while picked and picked[-1].group().lower() in _SMALL:
        picked.pop()  # a gloss starts with a content word
    if not picked or (not capitalised_only and len(picked) > 5):
        return None
    before = head[:offset + picked[-1].start()].rstrip()
    quoted = _QUOTED_BEFORE.search(before[-140:]) if not capitalised_only and len(picked) <= 2 else None
    if quoted and before.endswith(("”", '"')):
        # `“digital closed loop” system (数字化闭环)`: the quoted words belong to the gloss
        inner = next(g for g in quoted.groups() if g is not None)
        start = len(before) - len(quoted.group(0)) + quoted.group(0).index(inner) - 1
        return start, f"{inner.strip()} {head[offset + picked[-1].start():offset + picked[0].end()]}", True
    while len(picked) > 2 and picked[-1].group() in _HONORIFICS:
        picked.pop()  # Premier Li Keqiang: the gloss of 李克強 is the name
    start = offset + picked[-1].start()
    english = head[start:offset + picked[0].end()]
    english = " ".join(_trim_possessive(w) if i == len(english.split()) - 1 else w
                       for i, w in enumerate(english.split()))
    return start, english, False


def find_terms(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, english, chinese, kind) of every gloss pair in one paragraph."""
    found = []
    for pattern, capitalised_only in ((_BRACKETED, False), (_BARE, True)):
        for m in pattern.finditer(text):
            gloss = _gloss_before(text, m.start(), capitalised_only)
            if gloss is None:
                continue
            start, english, quoted = gloss
            if not re.search(r"[A-Za-z]{2}", english):
                continue
            chinese = m.group(1).strip()
            found.append((start, m.end(), english, chinese, _kind(english, chinese, quoted)))
    return sorted(set(found))


def _consistent(rows: list[dict]) -> list[dict]:
    """Within a document, a gloss that ends with a shorter gloss of the same Chinese is cut to it:
    `existed even smaller neighborhood organizations (社区)` → `neighborhood organizations`."""
    by_chinese: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        by_chinese.setdefault((r["doc_id"], r["chinese"]), set()).add(r["english"])
    for r in rows:
        shorter = [e for e in by_chinese[(r["doc_id"], r["chinese"])]
                   if len(e) < len(r["english"]) and r["english"].endswith(" " + e)]
        if shorter:
            e = max(shorter, key=len)
            cut = r["english"].rindex(e)
            start_in_text = r["text"].find(r["english"])
            if start_in_text >= 0:
                r["char_start"] += start_in_text + cut
                r["text"] = r["text"][start_in_text + cut:]
                r["english"] = e
                r["term_id"] = f"{r['doc_id']}-g{r['char_start']:07d}"
    return rows


def terms(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """terms: term_id, doc_id, paragraph_id, english, chinese, text, char_start, char_end, kind, variant."""
    rows = []
    for p in paragraphs.itertuples(index=False):
        if p.kind in ("note", "footnote"):
            continue  # notes cite Chinese titles; they are references, not glosses
        for a, b, english, chinese, kind in find_terms(p.text):
            start = p.char_start + a
            rows.append({"term_id": f"{p.doc_id}-g{start:07d}", "doc_id": p.doc_id, "paragraph_id": p.paragraph_id,
                         "english": english, "chinese": chinese, "text": p.text[a:b], "char_start": start,
                         "char_end": p.char_start + b, "kind": kind, "variant": han_variant(chinese)})
    return frame("terms", _consistent(rows))
