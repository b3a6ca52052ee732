"""Shared hypothesis strategies: source files of every shape the pipeline meets, as (file name, text).

Text mixes scripts (Latin with diacritics, Han, kana, Hangul, Cyrillic, Arabic, Devanagari, emoji with
joiners) and the punctuation the layers key on; notes are reference strings cut anywhere (so they end in
"et al", "eds", "pp", "cit", "in", a bare bracket or half a URL), Ibid./同上, URLs and brackets; documents
are Markdown with footnotes, HTML fragments and plain text.
"""

from __future__ import annotations

from hypothesis import strategies as st

_SCRIPTS = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "éüçñøßÅ", "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
            "习近平网格化管理系统数字政府", "ひらがなカタカナ", "한국어문장", "русский текст", "العربية", "हिन्दी",
            "\u200d\u200c👩‍💻🇨🇳", "0123456789", " ,.;:!?'\"“”‘’()[]{}«»—–-/&%#*", "，。、；：？！（）《》【】「」"]

# Words and marks the segmenter, the language detector, the glossary, the citation and entity layers look for.
_WORDS = ["the", "government", "Ministry of Civil Affairs", "Zhengzhou", "Xi Jinping", "习近平", "social credit",
          "社会信用体系", "(网格化管理)", "Fig. 1", "No.", "e.g.", "Dr.", "U.S.", "et al.", "pp.", "vol.", "1998", "2020年",
          "第一条", "Article 3", "[1]", "[^2]", "¹", "²", "*", "†", "—", "\u00a0", "\t", "  "]

_NOTE_PARTS = ["Zhang, Wei", "Li Qiang", "Smith, J.", " and ", " et al", " et al.", " eds", " (eds.)", " ed.", ", ",
               ". ", "“", "”", "\"", "Governing the Digital State", "数字政府建设", "《人民日报》", ", in ", " In: ",
               "Journal of Chinese Politics", " 12(3)", ", pp", ", pp. 45–67", " p. 3", " op. cit", " cit", " loc. cit.",
               "Ibid.", "ibid", "Ibid., p. 4.", "同上", "同上，第5页。", " (2019)", " 2020", "年", "https://", "www.gov.cn",
               "/zhengce/2020-01/01/content_123.htm", "http://example.org/a?b=c&d=e", " [", "]", " (", ")", " <", ">",
               " accessed 3 May 2021", " [Online]", "\n"]


@st.composite
def mixed_text(draw, min_size: int = 0, max_size: int = 80) -> str:
    """Arbitrary text mixing scripts, with the words the layers key on."""
    pieces = draw(st.lists(st.one_of(st.sampled_from(_WORDS),
                                     st.sampled_from(_SCRIPTS).flatmap(lambda a: st.text(a, min_size=1, max_size=12)),
                                     st.text(min_size=1, max_size=4)),
                           min_size=min_size // 8, max_size=max(1, max_size // 8)))
    return "".join(pieces)[:max_size]


@st.composite
def note(draw) -> str:
    """A reference string cut anywhere: every shape a note may end in."""
    text = "".join(draw(st.lists(st.sampled_from(_NOTE_PARTS), min_size=1, max_size=10)))
    return text[:draw(st.integers(1, max(1, len(text))))]


@st.composite
def sentence(draw) -> str:
    return draw(mixed_text(min_size=8, max_size=160)).strip() + draw(st.sampled_from([".", "。", "!", "?", "", "[1]",
                                                                                      "¹", "[^1]"]))


@st.composite
def markdown_document(draw) -> str:
    title = draw(mixed_text(min_size=1, max_size=40)).replace("\n", " ").strip() or "Title"
    paragraphs = draw(st.lists(st.lists(sentence(), min_size=1, max_size=4).map(" ".join), min_size=1, max_size=5))
    notes = draw(st.lists(note(), max_size=5))
    style = draw(st.sampled_from(["numbered", "footnotes", "bracketed", "none"]))
    body = [f"# {title}", *paragraphs]
    if style == "numbered":
        body += [f"{i}. {n}" for i, n in enumerate(notes, 1)]
    elif style == "footnotes":
        body += [f"[^{i}]: {n}" for i, n in enumerate(notes, 1)]
    elif style == "bracketed":
        body += ["Notes", *(f"[{i}] {n}" for i, n in enumerate(notes, 1))]
    return "\n\n".join(body) + "\n"


_TAGS = ["p", "div", "span", "b", "i", "sup", "li", "h2", "blockquote", "td"]


@st.composite
def html_fragment(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    inner = draw(st.lists(st.one_of(sentence(), note()) if depth >= 2 else
                          st.one_of(sentence(), note(), html_fragment(depth=depth + 1)), min_size=1, max_size=3))
    attrs = draw(st.sampled_from(["", ' class="footnote"', ' id="fn1"', ' href="https://www.gov.cn/x"']))
    return f"<{tag}{attrs}>" + " ".join(inner) + f"</{tag}>"


@st.composite
def html_document(draw) -> str:
    title = draw(mixed_text(min_size=1, max_size=30)).replace("<", " ").strip() or "Title"
    body = "\n".join(draw(st.lists(html_fragment(), min_size=1, max_size=5)))
    unclosed = draw(st.sampled_from(["", "<p>", "<div><b>", "</i>", "&amp; &nbsp; &#x4e2d;"]))
    return f"<html><head><title>{title}</title></head><body><article>{body}{unclosed}</article></body></html>"


@st.composite
def plain_document(draw) -> str:
    lines = draw(st.lists(st.one_of(sentence(), note(), st.just(""), st.just("\f")), min_size=1, max_size=12))
    return "\n".join(lines) + "\n"


def source_file() -> st.SearchStrategy[tuple[str, str]]:
    """(name suffix, text) of one source file of any kind."""
    return st.one_of(markdown_document().map(lambda t: (".md", t)), html_document().map(lambda t: (".html", t)),
                     plain_document().map(lambda t: (".txt", t)))


@st.composite
def corpus_files(draw, min_size: int = 1, max_size: int = 3) -> list[tuple[str, str]]:
    """Source files, and maybe a lightly edited copy of the first (for dedup)."""
    files = draw(st.lists(source_file(), min_size=min_size, max_size=max_size))
    if draw(st.booleans()):
        suffix, text = files[0]
        files.append((suffix, text.replace(" ", "  ", 1)))
    return files
