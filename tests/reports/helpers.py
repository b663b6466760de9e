"""Reading the report: PDF text (pypdf, Poppler), pages as PNG, and the HTML page."""

from __future__ import annotations

import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdf

VOID = {"meta", "br", "img", "hr", "link", "input", "col", "area", "base", "wbr", "source"}


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    """The PDF's text with pypdf, whitespace normalised."""
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return words(" ".join(page.extract_text() for page in reader.pages))


def poppler_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True
    )
    return words(result.stdout.decode("utf-8"))


def render_pages(data: bytes, tmp_path: Path) -> list[Path]:
    """Every page as a PNG with Poppler's pdftoppm (Debian's poppler-utils)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        [_tool("pdftoppm"), "-r", "40", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b"", result.stderr  # no syntax error or warning either
    return sorted(tmp_path.glob("page*.png"))


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: install Debian's poppler-utils (tests/run_all.py does)"
    return found


class StrictHTML(HTMLParser):
    """Parses a page and refuses a badly nested one; keeps its text, tags and the URLs it
    would fetch."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.fetches: list[str] = []
        self.feed(page)
        self.close()
        assert self.stack == [], f"unclosed elements: {self.stack}"
        self.words = words(" ".join(self.text))

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and not (value or "").startswith("#"):
                self.fetches.append(value or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and not (value or "").startswith("#"):
                self.fetches.append(value or "")

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] in ("style", "title") and "svg" not in self.stack:
            return
        if "svg" in self.stack:
            return  # chart labels are checked through the PDF's drawing
        self.text.append(data)
