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


_PHONE_NOISE = re.compile(r"[\s.\-()]")


def normalise_email(value: str | None) -> str | None:
    """The stored form of an e-mail address: NFC, trimmed, lower case; None when empty."""
    value = nfc(value).lower()
    return value or None


def normalise_phone(value: str | None) -> str | None:
    """A Vietnamese phone number in its one stored form, 0xxxxxxxxx (10 or 11 digits), or None
    when it is not one. "+84 912.345.678", "84912345678" and "0912 345 678" are the same
    number: officers sign in with it, so two spellings must never make two accounts."""
    digits = _PHONE_NOISE.sub("", nfc(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif re.fullmatch(r"[1-9]\d{8}", digits):  # a spreadsheet cell that lost its leading 0
        digits = "0" + digits
    if re.fullmatch(r"0[1-9]\d{8,9}", digits):
        return digits
    return None
