"""Make tests/data/samples/scanned_letter.pdf: a real staff letter as a scan (an image, no text layer).

The mirror has no scanned letter (its oldest UPLOADs already carry a text layer), but EDGAR has
them (2005-06 UPLOADs). This rasterizes a real letter (Block, Inc., 0000000000-23-006942) at
150 dpi, one bit per pixel, and writes each page as a Flate-compressed image in a PDF with no
text, which is what a scanner produces. Run: python scripts/make_scanned_fixture.py
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pypdfium2

from pipelines.normalize import main_letter
from pipelines.sgml import document_bytes, parse_submission
from pipelines.text import extract_document_text

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests/data/letters/raw/0000000000-23-006942.txt.gz"
OUT = ROOT / "tests/data/samples/scanned_letter.pdf"
DPI = 150
_TO_BITS = bytes.maketrans(bytes(range(256)), b"0" * 160 + b"1" * 96)  # grey below 160 is ink (0 = black)


def page_bits(page: pypdfium2.PdfPage) -> tuple[int, int, bytes]:
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    buffer = bytes(bitmap.buffer)
    bitmap.close()
    row_bytes = (width + 7) // 8
    rows = []
    for y in range(height):
        bits = buffer[y * stride:y * stride + width].translate(_TO_BITS).ljust(row_bytes * 8, b"1")
        rows.append(int(bits, 2).to_bytes(row_bytes, "big"))
    return width, height, b"".join(rows)


def write_pdf(pages: list[tuple[int, int, bytes]], path: Path) -> None:
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, (width, height, bits) in enumerate(pages):
        image, content = 4 + 3 * i, 5 + 3 * i
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject "
                       f"<< /Im0 {image} 0 R >> >> /Contents {content} 0 R >>".encode())
        data = zlib.compress(bits, 9)
        objects.append(f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
                       f"/BitsPerComponent 1 /Filter /FlateDecode /Length {len(data)} >>\nstream\n".encode()
                       + data + b"\nendstream")
        draw = b"q 612 0 0 792 0 0 cm /Im0 Do Q"
        objects.append(f"<< /Length {len(draw)} >>\nstream\n".encode() + draw + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def main() -> None:
    submission = parse_submission(gzip.decompress(SOURCE.read_bytes()))
    texts = [extract_document_text(document) for document in submission.documents]
    letter = submission.documents[main_letter(submission, texts)]
    pdf = pypdfium2.PdfDocument(document_bytes(letter))
    pages = [page_bits(page) for page in pdf]
    pdf.close()
    write_pdf(pages, OUT)
    print(f"{OUT}: {len(pages)} pages, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
