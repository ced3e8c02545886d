"""Text helpers: Unicode NFC for everything users type, and answer normalisation."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """NFC-normalise and trim: "Hoà" typed with combining marks equals the precomposed one."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", value).strip()


def normalise_answer(value: str | None) -> str:
    """Compare short answers the way a person would: NFC, case-insensitive, spaces collapsed."""
    return _SPACES.sub(" ", nfc(value)).casefold()
