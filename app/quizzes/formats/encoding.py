"""Turn uploaded bytes into NFC text with LF line ends, guessing the encoding when not given."""

from __future__ import annotations

import codecs
import unicodedata

from .base import normalise_newlines

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

# Letters only Vietnamese uses (cp1258 puts them where cp1252 has Western letters).
_VI_LETTERS = set("ăĂđĐơƠưƯ₫")
_VI_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # cp1258 combining tone marks
_VI_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


def _finish(text: str) -> str:
    return unicodedata.normalize("NFC", normalise_newlines(text))


def _looks_vietnamese(text: str) -> bool:
    """Score a cp1258 decoding: tone marks after vowels and ă/đ/ơ/ư count for Vietnamese,
    combining marks after anything else (what Italian ì/ò turn into) count against."""
    good = bad = 0
    previous = ""
    for char in text:
        if char in _VI_LETTERS:
            good += 1
        elif char in _VI_TONES:
            if previous in _VI_VOWELS:
                good += 1
            else:
                bad += 1
        previous = char
    return good > 0 and good >= bad


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_zero = data[0::2].count(0) / (len(data) / 2)
    odd_zero = data[1::2].count(0) / (len(data) / 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode an uploaded file: (NFC text with "\\n" line ends, name of the encoding used).

    With `encoding` given it is used when it decodes the data without error; otherwise (or when
    it fails) the encoding is detected: a BOM (UTF-8/16/32), then strict UTF-8, then BOM-less
    UTF-16, then Windows-1258 for Vietnamese (combining tone marks composed by NFC),
    Windows-1252 for other Western text, and Latin-1 as the last resort (never fails).
    """
    if encoding:
        try:
            codecs.lookup(encoding)
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            return _finish(text), encoding.lower()
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return _finish(data[len(bom) :].decode(codec)), name
            except UnicodeDecodeError:
                break
    try:
        return _finish(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _finish(data.decode(utf16)), utf16
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_vietnamese(text):
        return _finish(text), "cp1258"
    try:
        return _finish(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        pass
    if text is not None:
        return _finish(text), "cp1258"
    return _finish(data.decode("latin-1")), "latin-1"
