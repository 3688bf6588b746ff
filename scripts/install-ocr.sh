#!/bin/sh
# Install tesseract, the OCR program for scanned letters, where this machine allows it (root and apt).
# Never fails: without tesseract, scanned pages are flagged `needs_ocr` and the OCR tests skip.
if ! command -v tesseract >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -q tesseract-ocr >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tesseract-ocr >/dev/null 2>&1; }
fi
if command -v tesseract >/dev/null 2>&1; then
    echo "OCR: $(tesseract --version 2>&1 | head -n 1)"
else
    echo "OCR: tesseract is not installed (install the tesseract-ocr package to OCR scanned letters)"
fi
exit 0
