"""PDF: the page as a reader sees it, from the positions, sizes and weights of its characters (pypdfium2).

pypdf first checks the file (damaged, encrypted with a password, or decompressing past its limits: a
bomb); pdfium then gives every character with its box, font size and weight, which `pdf_layout` turns
into the document: furniture and the table of contents out, columns in reading order, headings marked
`# `, page-foot notes gathered at the end. See `pdf_layout` for the text's shape.
"""

from __future__ import annotations

import io
import re
import unicodedata

from ...errors import MissingExtraError
from . import Extracted
from .pdf_layout import Char, layout_text

__all__ = ["read_pdf", "PdfUnreadable", "pdf_title"]


class PdfUnreadable(Exception):
    """The bytes are not a PDF that can be read (damaged, encrypted with a password, or expanding past
    pypdf's limits); args[0] is the reason."""


# Compatibility characters whose NFKC form is the same text in plain letters: ligatures (ﬁ), full-width
# letters and digits, half-width forms, font variants (mathematical letters), no-break spaces. Superscripts, subscripts,
# fractions and circled numbers keep their form: NFKC would merge them into the digits around them.
_SAFE_COMPATIBILITY = ("<compat>", "<font>", "<wide>", "<narrow>", "<noBreak>")
# Characters pdfium reports for a hyphen it found at a line end (U+0002) or a soft hyphen.
_LINE_END_HYPHENS = {0x02: "-", 0xAD: "-", 0xFFFE: "-"}


def _normalised(code: int) -> str:
    """One character as text: compatibility forms folded where safe; a lone surrogate (a ToUnicode map
    pointing into U+D800-DFFF) or a control character as U+FFFD or nothing."""
    if code in _LINE_END_HYPHENS:
        return _LINE_END_HYPHENS[code]
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    ch = chr(code)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return " " if ch in "\t" else ""
    decomposition = unicodedata.decomposition(ch)
    if decomposition.startswith(_SAFE_COMPATIBILITY):
        folded = unicodedata.normalize("NFKC", ch)
        # full-width punctuation is how Chinese and Japanese write it (，。：（）): only letters and digits fold
        return folded if not decomposition.startswith("<wide>") or folded.isalnum() else ch
    return ch


def _check(raw: bytes) -> None:
    """Raise PdfUnreadable when pypdf cannot open the file or decode a page's content within its limits."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import LimitReachedError, PyPdfError
    except ImportError:
        raise MissingExtraError("pypdf", "build", "reading PDF") from None
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfUnreadable("encrypted_pdf")
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
    except PdfUnreadable:
        raise
    except (LimitReachedError, MemoryError) as e:  # a decompression bomb: pypdf stops it at its output limits
        raise PdfUnreadable("pdf_limit") from e
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError, IndexError,
            ZeroDivisionError, AssertionError) as e:  # what pypdf raises on damaged files besides its own errors
        raise PdfUnreadable("unreadable_pdf") from e


def _page_chars(page, pdfium) -> list[Char]:
    """Every character of one page in content order, with its box (y measured down from the page top);
    None for the line breaks pdfium finds."""
    import ctypes

    textpage = page.get_textpage()
    height = page.get_height()
    font = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    chars: list[Char | None] = []
    try:
        for i in range(textpage.count_chars()):
            code = pdfium.FPDFText_GetUnicode(textpage, i)
            if code in (0x0A, 0x0D):
                chars.append(None)
                continue
            text = _normalised(code)
            if not text:
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            size = pdfium.FPDFText_GetFontSize(textpage, i)
            weight = pdfium.FPDFText_GetFontWeight(textpage, i)
            pdfium.FPDFText_GetFontInfo(textpage, i, font, len(font), flags)
            name = font.value.decode("latin-1", "replace")
            bold = weight >= 600 or bool(re.search(r"bold|black|heavy|semibold|demi", name, re.I))
            chars.append(Char(text, left, height - top, right, height - bottom, round(size, 1), bold,
                              bool(pdfium.FPDFText_IsGenerated(textpage, i))))
    finally:
        textpage.close()
    return chars


def read_pdf(raw: bytes) -> Extracted:
    """The document's text as laid out (see pdf_layout), its title and author from the document
    information when they are a title and a name (its creation date is the file's, not the publication's,
    and is left out)."""
    try:
        import pypdfium2
        import pypdfium2.raw as pdfium
    except ImportError:
        raise MissingExtraError("pypdfium2", "build", "reading PDF") from None
    _check(raw)
    try:
        document = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError as e:
        raise PdfUnreadable("encrypted_pdf" if "password" in str(e).lower() else "unreadable_pdf") from e
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            try:
                pages.append((page.get_width(), page.get_height(), _page_chars(page, pdfium)))
            finally:
                page.close()
        info = document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()
    return Extracted(layout_text(pages), "pypdfium2-layout", title=pdf_title(info.get("Title")),
                     authors=" ".join((info.get("Author") or "").split()) or None)


# What a word processor or converter writes into /Title in place of one: the file's name, or none at all.
_FILE_NAME_TITLE = re.compile(r"^(microsoft (word|powerpoint|excel)\b|untitled\b|document\d*$)|"
                              r"\.(docx?|rtf|odt|pptx?|xlsx?|pdf|indd|tex|dvi|ps|txt|html?|qxd|pages)$", re.I)


def pdf_title(value: str | None) -> str | None:
    """A PDF's /Title when it is one, else None: not a file's name (`Microsoft Word - AVE2008 Report.doc`,
    `draft_v3`, `Untitled`), nor one word of digits and underscores."""
    title = " ".join((value or "").split())
    if not title or _FILE_NAME_TITLE.search(title):
        return None
    if " " not in title and re.search(r"[\d_]", title):  # `R48907`, `final_v2`: an identifier, not a title
        return None
    return title
