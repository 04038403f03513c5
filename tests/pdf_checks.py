"""Structural checks of the PDFs the product hands out: what a PDF/UA or PDF/A
validator looks at first, read with pikepdf. No validator for either standard is on the
package registries the project uses (veraPDF is a Java application outside them), so
the tests check the structure the standards require instead of certifying conformance."""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf

# The body font of every PDF template, with its bold and its monospace sibling for the
# fingerprints: DejaVu-Sans, DejaVu-Sans-Bold, DejaVu-Sans-Mono. A running header in the
# user agent's default font would show up as DejaVu-Serif.
BODY_FONT = "DejaVu-Sans"


def structure_roles(pdf: pikepdf.Pdf) -> Counter[str]:
    """How often each structure type (H1, Table, TH, TD, P …) occurs in the tag tree."""
    roles: Counter[str] = Counter()
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue  # a marked-content id
        if "/S" in node and node.get("/Type") != "/StructTreeRoot":
            roles[str(node.S)[1:]] += 1
        if "/K" in node:
            stack.append(node.K)
    return roles


def _fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            yield font
            yield from font.get("/DescendantFonts", [])


def assert_fonts_embedded(pdf: pikepdf.Pdf) -> set[str]:
    """Every font is embedded (none of the standard 14 left to the reader); returns
    the font names without their subset prefix."""
    names = set()
    for font in _fonts(pdf):
        if font.Subtype == "/Type0":
            continue  # its descendant carries the descriptor
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, f"font {font.get('/BaseFont')} has no descriptor"
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), (
            f"font {font.BaseFont} is not embedded"
        )
        names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.BaseFont)[1:]))
    return names


def assert_accessible(
    data: bytes, *, title: str, lang: str = "da", roles: tuple[str, ...] = ()
) -> pikepdf.Pdf:
    """Tagged, with language, title (shown in the title bar) and XMP metadata, every
    font embedded and in the body font, and the structure `roles` present."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert bool(root.MarkInfo.Marked) is True
    assert "/StructTreeRoot" in root
    found = structure_roles(pdf)
    for role in ("Document", *roles):
        assert found[role], f"no {role} in the structure tree ({dict(found)})"
    assert str(root.Lang) == lang
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert str(pdf.docinfo.Title) == title, str(pdf.docinfo.Title)
    metadata = pdf.open_metadata()
    assert metadata["dc:title"] == title
    fonts = assert_fonts_embedded(pdf)
    assert all(name.startswith(BODY_FONT) for name in fonts), fonts
    return pdf


def assert_pdf_ua(data: bytes, **expected) -> pikepdf.Pdf:
    pdf = assert_accessible(data, **expected)
    assert pdf.open_metadata()["pdfuaid:part"] == "1"
    return pdf


def assert_pdf_a(data: bytes, **expected) -> pikepdf.Pdf:
    """PDF/A-2a: the archival identification, the sRGB output intent, and the tags
    of conformance level "a"."""
    pdf = assert_accessible(data, **expected)
    metadata = pdf.open_metadata()
    assert (metadata["pdfaid:part"], metadata["pdfaid:conformance"]) == ("2", "A")
    assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    assert "/ID" in pdf.trailer
    return pdf


def page_texts(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, laid out as on paper (pdftotext separates pages with a
    form feed)."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[: len(pikepdf.open(path).pages)]


def assert_no_page_is_only_running_text(
    data: bytes, tmp_path: Path, running: tuple[str, ...]
) -> int:
    """Every page holds more than its running header and footer (`running`: regular
    expressions, each matching all of one line); returns the number of pages."""
    pattern = "|".join(f"(?:{one})" for one in running)
    pages = page_texts(data, tmp_path)
    for number, text in enumerate(pages, start=1):
        # pdftotext puts a header's left and right parts on one line, far apart.
        parts = [part for line in text.splitlines() for part in re.split(r"\s{3,}", line.strip())]
        body = [part for part in parts if part and not re.fullmatch(pattern, part)]
        assert body, f"page {number} of {len(pages)} holds only the running header/footer"
    return len(pages)
