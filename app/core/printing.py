"""What printed documents share: the fonts shipped in app/static/fonts and QR codes. Used by
the certificates and by auth's activation slips, which must not depend on each other."""

from __future__ import annotations

import io
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"


def qr_png(url: str) -> io.BytesIO:
    """The QR code of `url` as a PNG in memory (error correction M, 2-module quiet zone)."""
    import segno  # imported here: fpdf2, Pillow and fontTools cost each worker ~30 MB

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer
