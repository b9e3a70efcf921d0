"""The quote's PDF: a real A4 PDF with its fonts, French figures, the seller's
identity and the "Bon pour accord" box, drawn quickly once warm."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from comptoir.tenants.quotes.pdf import render_pdf
from comptoir.tenants.quotes.service import amounts_of
from tests.quotes.support import template_contexts

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _context(lines: int = 10) -> dict[str, object]:
    context = dict(template_contexts()["quotes/pdf.html"]())
    context["lines"] = list(context["lines"]) * lines
    context["amounts"] = amounts_of(context["lines"])
    context["locale"] = "fr"
    for drawn_by_render_pdf in ("fmt", "first_name"):
        context.pop(drawn_by_render_pdf)
    return context


def test_a_real_pdf_with_embedded_fonts(tmp_path: Path) -> None:
    pdf = render_pdf(_context())
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: the text of the PDF is not read")
    path = tmp_path / "devis.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "DEVIS",
        "D-2026-00001",
        "Atelier Lumière",
        "TVA intracommunautaire",
        "Boulangerie Émile",
        "30 novembre 2026",
        "Bon pour accord",
        "Total TTC",
        "Page 1 / ",
    ):
        assert expected in text, expected
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all("Quote-Sans" in row and " yes " in row for row in fonts), fonts
    if shutil.which("pdftoppm") is not None:  # a picture of the first page, to look at
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-singlefile",
                str(path),
                str(SCREENSHOTS / "quote-pdf"),
            ],
            check=True,
        )
    # 10 lines of 810,00 € HT at 20 %: French grouping and a decimal comma.
    assert "8 100,00" in text.replace("\u202f", " ").replace("\u00a0", " ")


def test_a_draft_is_marked_and_rendering_is_fast() -> None:
    context = _context()
    context["quote"].status = "draft"  # type: ignore[attr-defined]
    context["quote"].number = ""  # type: ignore[attr-defined]
    render_pdf(context)  # fonts and the stylesheet are loaded once
    started = time.perf_counter()
    pdf = render_pdf(context)
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    # About 0.25 s here for ten lines; the bound leaves room for a busy machine.
    assert elapsed < 1.5, elapsed
