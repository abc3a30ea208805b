"""The certificate of a recognition as an A4 PDF (WeasyPrint, Debian's Noto CJK fonts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plateau.web.templating import environment

if TYPE_CHECKING:
    from plateau.recognition.models import Edition
    from plateau.recognition.service import ResultLine


def certificate_html(edition: Edition, line: ResultLine) -> str:
    from plateau.i18n import HTML_LANG, get_locale

    return (
        environment()
        .get_template("recognition/certificate.html")
        .render({"edition": edition, "line": line, "html_lang": HTML_LANG[get_locale()]})
    )


def certificate_pdf(edition: Edition, line: ResultLine) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=certificate_html(edition, line)).write_pdf()
    return pdf
