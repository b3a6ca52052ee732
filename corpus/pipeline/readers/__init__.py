"""Format readers used by ingest: each turns one decoded (or, for PDF, raw) input into an `Extracted`.

Their text is blocks separated by blank lines; a block that the source marks up as a heading starts
with `# ` (Markdown's own heading mark, which clean turns into a `headings` offset), and pages of
paged formats are separated by form feeds (as pdftotext writes them), which clean turns into
`page_starts`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Extracted"]


@dataclass(frozen=True)
class Extracted:
    text: str
    extractor: str
    fallback: bool = False  # the main extractor found nothing; text is everything visible
    title: str | None = None
    authors: str | None = None
    published: str | None = None
    url: str | None = None
    # where title, authors and published came from when the reader found them: html-meta, json-ld, byline,
    # text, url (see readers/pagemeta.py); front-matter for Markdown, pdf-info for PDF
    title_source: str | None = None
    authors_source: str | None = None
    published_source: str | None = None
