"""Hostile inputs for the build, made from real filings of the bundled sample (the audit's cases, in general form)."""

from __future__ import annotations

import binascii
import re

from tests.conftest import SAMPLE, raw_path

STAFF_LETTER = raw_path(SAMPLE, 1512673, "0000000000-23-006942").read_bytes()  # Block, a PDF letter, uuencoded
RESPONSE = raw_path(SAMPLE, 1512673, "0001193125-23-184593").read_bytes()  # Block's response, HTML
_ACCESSIONS = rb"0000000000-23-006942|0001193125-23-184593"


def as_filing(raw: bytes, accession: str) -> bytes:
    """The same submission under another accession number, so every variant is its own filing."""
    return re.sub(_ACCESSIONS, accession.encode(), raw)


def uuencode(data: bytes, name: str) -> bytes:
    lines = [b"begin 644 " + name.encode()]
    lines += [binascii.b2a_uu(data[i:i + 45]).rstrip(b"\n") for i in range(0, len(data), 45)]
    return b"\n".join([*lines, b"`", b"end"]) + b"\n"


def with_pdf(raw: bytes, pdf: bytes) -> bytes:
    """A staff letter submission whose PDF document is `pdf`."""
    start = raw.index(b"begin 644 ")
    end = raw.index(b"\nend\n", start) + len(b"\nend\n")
    return raw[:start] + uuencode(pdf, "filename1.pdf") + raw[end:]


def with_html(raw: bytes, html: bytes) -> bytes:
    """A response submission whose HTML document is `html`."""
    start = raw.index(b"<TEXT>\n") + len(b"<TEXT>\n")
    end = raw.index(b"</TEXT>", start)
    return raw[:start] + html + b"\n" + raw[end:]


def huge_page_pdf(points: int = 14400) -> bytes:
    """One image-only page of `points` x `points` (200 inches, the largest a PDF page may be): a scan to OCR,
    which at 300 dpi would be a 60,000 x 60,000 bitmap. 131 KB files like this took 11.5 GB."""
    content = f"q {points} 0 0 {points} 0 0 cm /Im1 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points} {points}] /Resources << /XObject << /Im1 5 0 R >> >>"
        " /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length 4 >>\nstream\n\xff\x00\x00\xff\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def inflated_html(megabytes: int) -> bytes:
    """A real response letter with `megabytes` of extra paragraphs after its text (a letter with huge exhibits)."""
    start = RESPONSE.index(b"<TEXT>\n") + len(b"<TEXT>\n")
    html = RESPONSE[start:RESPONSE.index(b"</TEXT>", start)]
    paragraph = b"<p>The Company respectfully advises the Staff that the amounts are immaterial.</p>\n"
    filler = paragraph * (megabytes * 1024 * 1024 // len(paragraph))
    cut = html.lower().rindex(b"</body>") if b"</body>" in html.lower() else len(html)
    return html[:cut] + filler + html[cut:]
