"""Article-level legal references and the documents of the legal register, as written in files.

Shared by the loader, `flask courses check`, the review list and the authoring forms, so that a
reference means the same thing everywhere:

- a reference is `DOC_ID PLACE` (several separated by `;`), PLACE one of `Điều N`, `Điều N kM`,
  `Điều N kM điểm x`, `Mục <roman>[.<n>…]`, `Chương <roman>`;
- the old forms (`[ref:DOC; free text]` in questions, `articles: DOC free text` in lessons) are
  still read — imports and older files use them — but are marked `legacy` so the checker flags
  them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.text import nfc

STATUSES = ("VERIFIED", "CORROBORATED", "SEEN-ONCE", "NOT-SEEN")
# The statuses of the first course files; read, flagged by the checker, shown as not verified.
LEGACY_STATUSES = ("UNVERIFIED",)
STATUS_LABELS = {
    "VERIFIED": "Đã đối chiếu văn bản gốc",
    "CORROBORATED": "Có ít nhất hai nguồn thứ cấp khớp nhau",
    "SEEN-ONCE": "Mới thấy ở một nguồn",
    "NOT-SEEN": "Chưa tìm thấy nguồn",
    "UNVERIFIED": "Chưa xác minh",
}
SCENARIO_TAG = "tinh-huong"
HISTORICAL_TAG = "historical"

# `!!! history "Lịch sử"`: the admonition a lesson uses for what a replaced document said
HISTORY_BOX = re.compile(r"^!!! history\b", re.MULTILINE)
DOC_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ROMAN = r"[IVXLC]+"
_ARTICLE = re.compile(
    r"^Điều\s+(?P<n>\d+)"
    r"(?:\s+(?:k|khoản\s*)(?P<k>\d+)"
    r"(?:\s+điểm\s+(?P<p>[a-zđ]))?)?$"
)
_SECTION = re.compile(rf"^Mục\s+(?P<s>{_ROMAN}(?:\.\d+)*)$")
_CHAPTER = re.compile(rf"^Chương\s+(?P<c>{_ROMAN})$")
PLACE_FORMS = "«Điều N», «Điều N kM», «Điều N kM điểm x», «Mục III.3» hoặc «Chương II»"


@dataclass(frozen=True)
class Ref:
    """One cited place. `place` is canonical when the form is known, as written otherwise."""

    doc_id: str
    place: str = ""
    known_form: bool = False  # the place is written in one of the agreed forms
    legacy: bool = False  # old free-text form (`DOC; place`) or no place at all

    @property
    def text(self) -> str:
        return f"{self.doc_id} {self.place}".strip()

    def lookup_keys(self) -> list[str]:
        """Keys of the per-article status table to try, most precise first:
        "Điều 24 k1 điểm a" → ["Điều 24 k1 điểm a", "Điều 24 k1", "Điều 24"]."""
        keys = []
        place = self.place
        while place:
            keys.append(place)
            if " điểm " in place:
                place = place.rsplit(" điểm ", 1)[0]
            elif re.search(r" k\d+$", place):
                place = place.rsplit(" ", 1)[0]
            elif place.startswith("Mục ") and "." in place:
                place = place.rsplit(".", 1)[0]
            else:
                break
        return keys

    @property
    def article(self) -> str:
        """The article/section an amendment of "one article" names: "Điều 24", "Mục III"."""
        keys = self.lookup_keys()
        return keys[-1] if keys else ""


def normalise_place(place: str) -> tuple[str, bool]:
    """(canonical place, written in a known form?). "Điều 24 khoản 1" → "Điều 24 k1"."""
    place = " ".join(nfc(place).split())
    match = _ARTICLE.match(place)
    if match:
        canonical = f"Điều {int(match['n'])}"
        if match["k"]:
            canonical += f" k{int(match['k'])}"
        if match["p"]:
            canonical += f" điểm {match['p']}"
        return canonical, True
    if _SECTION.match(place) or _CHAPTER.match(place):
        return place, True
    return place, False


def parse_refs(text: str) -> list[Ref]:
    """`luat-tdkt-2022 Điều 24 k1; kh-nq07 Mục III.3` → two refs. A part that does not start
    with a document id is the old free-text place of the part before it (`DOC; Điều 1`)."""
    refs: list[Ref] = []
    for raw in nfc(text or "").split(";"):
        part = " ".join(raw.split())
        if not part:
            continue
        head, _, rest = part.partition(" ")
        if DOC_ID.match(head):
            place, known = normalise_place(rest) if rest else ("", False)
            refs.append(Ref(head, place, known, legacy=not rest or not known))
        elif refs and not refs[-1].place:
            place, known = normalise_place(part)
            refs[-1] = Ref(refs[-1].doc_id, place, known, legacy=True)
        else:
            refs.append(Ref("", part, False, legacy=True))
    return refs


def ref_problems(refs: list[Ref], doc_ids: set[str] | None) -> list[str]:
    """Vietnamese messages for references a checker or a form refuses (`doc_ids` None: any
    document id is accepted — the caller checks existence elsewhere)."""
    problems = []
    for ref in refs:
        if not ref.doc_id:
            problems.append(f"«{ref.place}» không bắt đầu bằng mã văn bản")
            continue
        if doc_ids is not None and ref.doc_id not in doc_ids:
            problems.append(f"Căn cứ '{ref.doc_id}' chưa khai báo trong legal_basis")
        if not ref.place:
            problems.append(f"Căn cứ '{ref.doc_id}' thiếu vị trí (điều, khoản, mục): {PLACE_FORMS}")
        elif not ref.known_form:
            problems.append(
                f"Vị trí «{ref.place}» của '{ref.doc_id}' không đúng dạng {PLACE_FORMS}"
            )
        elif ref.legacy:
            problems.append(
                f"Căn cứ '{ref.doc_id}; {ref.place}' viết theo dạng cũ: "
                f"viết «{ref.doc_id} {ref.place}» (không có dấu ; giữa mã và vị trí)"
            )
    return problems


def document_name(title: str, number: str) -> str:
    """ "Luật Thi đua, khen thưởng 06/2022/QH15": the title, then the number when it is a real
    one (short, with a digit, not already in the title) — what learners read, never the id."""
    title, number = (title or "").strip(), (number or "").strip()
    if number and len(number) <= 40 and re.search(r"\d", number) and number not in title:
        return f"{title} {number}".strip()
    return title


def place_label(place: str) -> str:
    """What a learner reads: "Điều 24 k1 điểm a" → "Điều 24 khoản 1 điểm a"."""
    return re.sub(r"(Điều \d+) k(\d+)", r"\1 khoản \2", place)


# --- documents -------------------------------------------------------------------------------

DOC_TEXT_FIELDS = ("id", "number", "title", "issuer", "status", "replaced_by")
DOC_DATE_FIELDS = ("issued", "effective", "replaced_from", "last_checked")
# `issued` may be absent: a source that gives no date (the provincial plan) gets none guessed.
REQUIRED_DOC_FIELDS = ("id", "number", "title", "issuer", "status", "last_checked")
# Fields that must agree when several courses declare the same document.
SHARED_DOC_FIELDS = ("number", "title", "issuer", "issued", "effective", "replaced_by")


def iso_date(value) -> date | None:
    """A TOML date (`2022-06-15` bare) or an ISO string; None when empty or malformed."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def clean_document(doc: dict) -> dict:
    """A `[[legal_basis]]` entry as stored on the course: NFC strings, ISO date strings, a list
    of source addresses, a {place: status} table. Unknown keys are kept as text."""
    cleaned: dict = {}
    for key, value in doc.items():
        if key == "sources":
            values = value if isinstance(value, list) else [value]
            cleaned[key] = [nfc(str(v)).strip() for v in values if str(v).strip()]
        elif key == "articles" and isinstance(value, dict):
            cleaned[key] = {
                normalise_place(str(k))[0]: nfc(str(v)).strip().upper() for k, v in value.items()
            }
        elif key in DOC_DATE_FIELDS:
            parsed = iso_date(value)
            cleaned[key] = parsed.isoformat() if parsed else nfc(str(value)).strip()
        else:
            cleaned[key] = nfc(str(value)).strip()
    return cleaned


def document_problems(doc: dict) -> list[str]:
    """What is wrong with one `[[legal_basis]]` entry, in Vietnamese (empty: fine)."""
    problems = []
    name = doc.get("id") or "?"
    for key in REQUIRED_DOC_FIELDS:
        if not str(doc.get(key) or "").strip():
            problems.append(f"Văn bản '{name}' thiếu '{key}'")
    if doc.get("id") and not DOC_ID.match(str(doc["id"])):
        problems.append(
            f"Mã văn bản '{name}' chỉ gồm chữ thường không dấu, số, dấu gạch (ví dụ luat-tdkt-2022)"
        )
    for key in DOC_DATE_FIELDS:
        if doc.get(key) and iso_date(doc[key]) is None:
            problems.append(f"Văn bản '{name}': '{key}' phải là ngày dạng YYYY-MM-DD")
    status = str(doc.get("status") or "")
    if status in LEGACY_STATUSES:
        problems.append(
            f"Văn bản '{name}': trạng thái '{status}' là dạng cũ, dùng {' | '.join(STATUSES)}"
        )
    elif status and status not in STATUSES:
        problems.append(f"Văn bản '{name}': trạng thái '{status}' không hợp lệ")
    if doc.get("replaced_from") and not doc.get("replaced_by"):
        problems.append(f"Văn bản '{name}': có 'replaced_from' nhưng thiếu 'replaced_by'")
    sources = doc.get("sources")
    if sources is not None:
        values = sources if isinstance(sources, list) else [sources]
        for source in values:
            if not re.match(r"^https?://\S+$", str(source)):
                problems.append(f"Văn bản '{name}': nguồn «{source}» không phải địa chỉ http(s)")
    else:
        problems.append(f"Văn bản '{name}' thiếu 'sources' (danh sách địa chỉ nguồn)")
    articles = doc.get("articles")
    if articles is not None and not isinstance(articles, dict):
        problems.append(
            f"Văn bản '{name}': [legal_basis.articles] phải là bảng vị trí = trạng thái"
        )
    for place, value in (articles or {}).items() if isinstance(articles, dict) else []:
        if not normalise_place(str(place))[1]:
            problems.append(f"Văn bản '{name}': vị trí «{place}» không đúng dạng {PLACE_FORMS}")
        if str(value) not in STATUSES:
            problems.append(f"Văn bản '{name}': trạng thái '{value}' của «{place}» không hợp lệ")
    return problems


def ref_status(ref: Ref, doc: dict | None) -> str:
    """The status a statement resting on `ref` has: the cited article's own status when the
    document lists it, else the document's; NOT-SEEN for an unknown document."""
    if doc is None:
        return "NOT-SEEN"
    articles = doc.get("articles") or {}
    for key in ref.lookup_keys():
        if key in articles:
            return articles[key]
    return doc.get("status") or "NOT-SEEN"
