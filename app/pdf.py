"""Print views as PDF (WeasyPrint), and as PDF/A-3b for a municipality's records system.

The PDF is the print view's own HTML: the same template, laid out on A4 by static/css/pdf.css.
Nothing is fetched from the network: the only resources a page may load are the app's own
static files, read from disk.
"""

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from app.paths import STATIC
from app.web import render

PDF_TYPE = "application/pdf"
PDF_A = "pdf/a-3b"


def _static_fetcher():
    """WeasyPrint's URL fetcher: /static/… from disk, everything else refused."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = urlsplit(url).path
            if path.startswith("/static/"):
                file = (STATIC / path.removeprefix("/static/")).resolve()
                if file.is_relative_to(STATIC.resolve()) and file.is_file():
                    kind = "text/css" if file.suffix == ".css" else "application/octet-stream"
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"not fetched in a PDF: {url}")

    return StaticOnly()


def html_to_pdf(html: str, *, archival: bool = False) -> bytes:
    """A4 PDF of a print view's HTML; `archival`: PDF/A-3b (every font embedded, XMP
    metadata with the PDF/A identification, an sRGB output intent)."""
    from weasyprint import CSS, HTML  # imported when used: it loads Pango

    stylesheet = CSS(string=(STATIC / "css" / "pdf.css").read_text(encoding="utf-8"))
    document = HTML(string=html, base_url="http://sus.invalid/", url_fetcher=_static_fetcher())
    options = {"pdf_variant": PDF_A} if archival else {}
    return document.write_pdf(stylesheets=[stylesheet], **options)


def pdf_response(request: Request, template: str, context: dict, *, filename: str,
                 archival: bool = False, cache: str = "private, no-store") -> Response:
    """The print view `template` rendered as a PDF download."""
    page = render(request, template, {**context, "pdf": True})
    content = html_to_pdf(bytes(page.body).decode("utf-8"), archival=archival)
    return Response(content, media_type=PDF_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{Path(filename).name}\"",
        "Cache-Control": cache})
