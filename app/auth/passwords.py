"""The password rule: at least 10 characters, not a common password, and not built from the
person's own name or e-mail (the first things an attacker tries)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

from app.org.models import User

MIN_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"
# A name part this long is refused anywhere in the password; a shorter one ("Văn", "Thị",
# "Ngô") only as a word of its own — inside words ("ngọc", "vàng") it is far too common —
# and one or two letters ("Lê", "Hà") not at all.
SUBSTRING_PART = 4


def _fold(value: str) -> str:
    """Lower case without diacritics: "Nguyễn Thị Hà" → "nguyen thi ha" ("đ" → "d")."""
    value = unicodedata.normalize("NFD", value.lower()).replace("đ", "d")
    return "".join(ch for ch in value if not unicodedata.combining(ch))


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


def password_problem(user: User, password: str) -> str | None:
    """Why `password` is refused for `user` (a Vietnamese sentence), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_LENGTH)
    folded = _fold(password)
    if folded in common_passwords() or re.sub(r"\d+$", "", folded) in common_passwords():
        return _("Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác.")
    compact = re.sub(r"[^a-z0-9]", "", folded)
    words = set(re.findall(r"[a-z]+", folded))
    name_parts = re.findall(r"[a-z0-9]+", _fold(user.full_name))
    anywhere = {part for part in name_parts if len(part) >= SUBSTRING_PART}
    anywhere.add("".join(name_parts))
    if user.email:
        anywhere.add(re.sub(r"[^a-z0-9]", "", _fold(user.email.split("@")[0])))
    as_words = {part for part in name_parts if len(part) == SUBSTRING_PART - 1}
    if any(len(p) >= SUBSTRING_PART - 1 and p in compact for p in anywhere) or as_words & words:
        return _("Mật khẩu không được chứa họ tên hoặc thư điện tử của bạn.")
    return None
