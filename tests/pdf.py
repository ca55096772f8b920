"""Reading the PDFs Vigie writes, in tests, with Python packages only (no poppler binaries).

pdfplumber gives the text as laid out on the page; pypdfium2 renders the pages as images, so a test can
check a page is drawn (not blank) the way a person would look at it with `pdftoppm`.
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
from PIL import Image


def pdf_text(data: bytes) -> str:
    """The text of every page, in reading order, one page after another.

    The charts' SVG text is placed letter by letter; a tight tolerance keeps the spaces between its words.
    """
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "\n".join(page.extract_text(x_tolerance=1.5) or "" for page in document.pages)


def pdf_page_images(data: bytes, *, dpi: int = 60) -> list[Image.Image]:
    """Each page drawn as an RGB image at `dpi` dots per inch (60, like `pdftoppm -r 60`)."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def ink_share(image: Image.Image) -> float:
    """The share of the page's pixels that are not white: 0.0 for a blank page."""
    greyscale = image.convert("L")
    histogram = greyscale.histogram()
    return 1 - histogram[255] / sum(histogram)
