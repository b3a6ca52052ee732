"""PDF: the text layer of each page by pypdf, pages separated by form feeds.

Running headers and footers, page numbers, hyphenation and hard wraps are left to clean, which
treats any paged text alike (a PDF here, or a pdftotext `.txt` with its form feeds).
"""

from __future__ import annotations

import io

from ...errors import MissingExtraError
from . import Extracted

__all__ = ["read_pdf", "PdfUnreadable"]


class PdfUnreadable(Exception):
    """The bytes are not a PDF pypdf can read (damaged, encrypted with a password, or expanding past pypdf's
    limits); args[0] is the reason."""


def read_pdf(raw: bytes) -> Extracted:
    """Text of every page, joined by form feeds; title and author from the document information
    (its creation date is the file's, not the publication's, and is left out)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import LimitReachedError, PyPdfError
    except ImportError:
        raise MissingExtraError("pypdf", "build", "reading PDF") from None
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfUnreadable("encrypted_pdf")
        pages = [(page.extract_text() or "").replace("\f", "\n") for page in reader.pages]
        info = reader.metadata or {}
    except PdfUnreadable:
        raise
    except (LimitReachedError, MemoryError) as e:  # a decompression bomb: pypdf stops it at its output limits
        raise PdfUnreadable("pdf_limit") from e
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError, IndexError,
            ZeroDivisionError, AssertionError) as e:  # what pypdf raises on damaged files besides its own errors
        raise PdfUnreadable("unreadable_pdf") from e
    title = str(info.get("/Title") or "").strip() or None
    authors = str(info.get("/Author") or "").strip() or None
    return Extracted("\f".join(pages), "pypdf", title=title, authors=authors)
