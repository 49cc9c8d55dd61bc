"""The submission document as a PDF (`portfolio export --pdf`), through WeasyPrint.

WeasyPrint is the optional extra `pdf` (pyproject.toml; `make` installs it, and the system libraries it
needs through tools/ensure-pdf.sh). Without it, or without Pango, `available()` says why and export says
so instead of writing a PDF.

The PDF is made from the rendered print view only: the URL fetcher serves the files the export has
already rendered and scanned (the page and the theme's stylesheets) and refuses everything else, so
nothing outside the scanned output reaches it (no network, no file system). Its text, extracted with
`pdf_text` (pypdf), is scanned again after rendering (export.py, `OutputGuard.check_document`). Metadata is fixed: the creation and
modification dates are `--as-of`, the identifier a digest of the content, so the same records and
`--as-of` give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes

BASE = "https://portfolio.invalid/"
PAGE = "print.html"


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries are missing: the reason, with the fix."""


def _weasyprint():
    try:
        import weasyprint   # noqa: PLC0415  (optional: imported only when a PDF is asked for)
    except (ImportError, OSError) as exc:   # OSError: the library is installed but Pango is not
        raise PdfUnavailable(
            f"WeasyPrint cannot be loaded ({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
            "install the pdf extra and its system libraries: make setup (or pip install 'portfolio-generator[pdf]' "
            "and apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
    return weasyprint


def available() -> str | None:
    """None when a PDF can be made, else why not."""
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    return None


def render_pdf(files: dict, title: str, author: str, as_of: dt.date) -> bytes:
    """The PDF of `files[PAGE]`. `files`: site path -> bytes, every file the page may load."""
    weasyprint = _weasyprint()

    class Rendered(weasyprint.urls.URLFetcher):
        """Serves the rendered, scanned output only: never the network, never a file on disk."""

        def fetch(self, url, headers=None):
            rel = url[len(BASE):].split("#", 1)[0].split("?", 1)[0] if url.startswith(BASE) else None
            if rel is None or rel not in files:
                raise ValueError(f"not part of the document: {url}")
            kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, files[rel], {"Content-Type": kind})

    html = weasyprint.HTML(string=files[PAGE].decode("utf-8"), base_url=BASE + PAGE, url_fetcher=Rendered(fail_on_errors=True),
                           media_type="print")
    doc = html.render()
    stamp = as_of.isoformat()   # a W3C date: WeasyPrint drops a time without a zone (and says so in its log)
    doc.metadata.title, doc.metadata.authors = title, [author] if author else []
    doc.metadata.created = doc.metadata.modified = stamp
    doc.metadata.generator = "portfolio generator"
    identifier = hashlib.sha256(files[PAGE]).hexdigest()[:32].encode("ascii")
    return doc.write_pdf(pdf_identifier=identifier)


def pdf_text(data: bytes) -> list[str]:
    """The text of each page (pypdf, part of the pdf extra), for the output scan and the tests."""
    from pypdf import PdfReader
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
