"""Question-bank import into the database: every interop file, all-or-nothing, re-import,
categories, tags, NFC, cloze, and the round trip import → export → import through the DB."""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.authoring.pending import apply_drafts
from app.core.audit import AuditEvent
from app.courses.models import Course
from app.extensions import db
from app.quizzes import bank, bank_chunks
from app.quizzes.bank import CLOZE_UNSUPPORTED, export_bank, import_questions, parse_upload
from app.quizzes.formats import decode_bytes, parse_gift
from app.quizzes.models import Question
from app.quizzes.types import REGISTRY

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)
# Counts the manifest states in words rather than as "N questions".
DOCUMENTED = {"aiken/moodle-aiken_errors.txt": 5}  # 1 good + 3 broken + "A second good question"


def _manifest() -> list[dict]:
    with (INTEROP / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _expected(row: dict) -> int:
    titled = re.search(r"(\d+) titled questions", row["expect"])
    if titled:
        return int(titled.group(1))
    if row["file"] in DOCUMENTED:
        return DOCUMENTED[row["file"]]
    counted = re.search(r"(\d+) (?:[\w-]+ )?questions?\b", row["expect"])
    assert counted, f"no question count in the manifest for {row['file']}: add it to DOCUMENTED"
    return int(counted.group(1))


def make_course(slug: str) -> Course:
    course = Course(slug=slug, title=f"Khóa {slug}")
    db.session.add(course)
    db.session.commit()
    return course


def questions_of(course: Course) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.course_id == course.id).order_by(Question.position)
        )
    )


def go_live(course: Course) -> None:
    """What the next publish does with the imported drafts (these bare courses have no lessons
    to publish; tests/quizzes/test_bank_drafts.py publishes for real)."""
    apply_drafts(course)
    db.session.commit()


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_interop_folder_is_there():
    # fail, not skip: these files are the acceptance set
    assert (INTEROP / "MANIFEST.tsv").is_file(), f"interop files not found in {INTEROP}"
    assert len(_manifest()) >= 30


def test_every_interop_file_imports_or_reports_every_question(app):
    rows = _manifest()
    assert rows
    for number, row in enumerate(rows):
        path = INTEROP / row["file"]
        assert path.is_file(), row["file"]
        course = make_course(f"interop-{number}")
        result = parse_upload(path.read_bytes(), path.name)
        summary = import_questions(course, result, filename=row["file"])
        go_live(course)
        stored = questions_of(course)
        assert summary.created == len(stored)
        for error in summary.errors:
            assert error.line >= 1 and error.message, (row["file"], error)
        expected = _expected(row)
        if "titled questions" in row["expect"]:
            text, _ = decode_bytes(path.read_bytes())
            title_lines = {n for n, line in enumerate(text.split("\n"), 1) if line.startswith("::")}
            imported = [q for q in stored if q.title]
            reported = [e for e in summary.errors if e.line in title_lines]
            assert len(imported) + len(reported) == expected, (row["file"], summary.errors)
        else:
            assert summary.imported + len(summary.errors) == expected, (row["file"], summary)
        for question in stored:
            assert question.text == unicodedata.normalize("NFC", question.text)
            assert question.active


def test_cloze_without_a_registered_type_is_reported_with_its_line(app, monkeypatch):
    monkeypatch.delitem(REGISTRY, "cloze", raising=False)
    course = make_course("cloze")
    path = INTEROP / "gift/gl02-U4-p47-Review.gift"
    summary = import_questions(course, parse_upload(path.read_bytes(), path.name))
    cloze = [e for e in summary.errors if e.message == CLOZE_UNSUPPORTED]
    assert [e.line for e in cloze] == [3, 10, 30]
    assert summary.by_type["cloze"] == {"error": 3}
    assert summary.created == 1


def test_cloze_with_a_registered_type_is_imported(app):
    if "cloze" not in REGISTRY:
        pytest.skip("no cloze question type registered: covered by the test above")
    course = make_course("cloze")
    path = INTEROP / "gift/gl02-U4-p47-Review.gift"
    summary = import_questions(course, parse_upload(path.read_bytes(), path.name))
    assert summary.imported + len(summary.errors) == 4
    assert summary.by_type["cloze"].get("new", 0) + summary.by_type["cloze"].get("error", 0) == 3


def test_vietnamese_cp1258_is_stored_as_nfc_utf8(app):
    course = make_course("vi")
    path = INTEROP / "gift/vi-cp1258.gift"
    summary = import_questions(course, parse_upload(path.read_bytes(), path.name))
    go_live(course)
    assert summary.created == 2 and summary.encoding == "cp1258"
    for question in questions_of(course):
        assert question.text == unicodedata.normalize("NFC", question.text)
        assert re.search("[ạảãàáăắằẳẵặâấầẩẫậđếềểễệọỏõòóôốồổỗộơớờởỡợụủũùúưứừửữự]", question.text)


GIFT = """$CATEGORY: $course$/top/Nguyên tắc

// [id:k-01] [ref:Luật TĐKT; Điều 6] [tag:luật] [tag:cơ bản]
::Một:: Câu hỏi một? {=Đúng ~Sai ####Giải thích một.}

::Hai:: Câu hỏi hai? {T}

::Hỏng:: Thiếu đáp án đúng? {~a ~b}
"""


def test_import_keeps_category_tags_reference_and_reimport_updates_in_place(app):
    course = make_course("khoa")
    summary = import_questions(course, parse_gift(GIFT), category_prefix="Nhập 2025/")
    assert (summary.created, summary.updated, len(summary.errors)) == (2, 0, 1)
    assert summary.errors[0].line == 8 and summary.errors[0].title == "Hỏng"
    go_live(course)
    one, two = questions_of(course)
    assert one.key == "k-01" and two.key.startswith("title:") and two.title == "Hai"
    assert one.category == "Nhập 2025/Nguyên tắc"
    assert one.tags == ["luật", "cơ bản"] and one.reference == "Luật TĐKT; Điều 6"
    assert one.explanation == "Giải thích một."
    assert (one.position, two.position) == (1, 2)

    again = import_questions(course, parse_gift(GIFT), category_prefix="Nhập 2025")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    edited = GIFT.replace("Câu hỏi hai?", "Hai đã sửa?")
    changed = import_questions(course, parse_gift(edited), category_prefix="Nhập 2025")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert [(c["key"], c["title"]) for c in changed.changes] == [(two.key, "Hai")]
    go_live(course)
    assert count_questions() == 2
    assert db.session.get(Question, two.id).text == "Hai đã sửa?"
    # The same questions without the prefix are in another category: other questions.
    elsewhere = import_questions(course, parse_gift(GIFT))
    assert (elsewhere.created, elsewhere.updated, elsewhere.changes) == (2, 0, [])


def test_tag_category_and_search_filters(app):
    course = make_course("loc")
    import_questions(course, parse_gift(GIFT))
    go_live(course)
    assert [r[0].key for r in bank.bank_page(course, tag="luật").items] == ["k-01"]
    assert bank.bank_page(course, tag="luậ").items == []
    assert bank.bank_page(course, category="Nguyên tắc").total == 2
    assert bank.bank_page(course, category="Khác").total == 0
    assert [r[0].title for r in bank.bank_page(course, search="hai").items] == ["Hai"]
    assert bank.bank_filters(course) == (["Nguyên tắc"], ["cơ bản", "luật"], 2)


def test_dry_run_writes_nothing_and_previews_the_same_counts(app):
    course = make_course("thu")
    before = count_questions()
    preview = import_questions(course, parse_gift(GIFT), dry_run=True)
    assert count_questions() == before
    real = import_questions(course, parse_gift(GIFT))
    assert (preview.created, preview.updated, len(preview.errors)) == (2, 0, 1)
    assert preview.by_type == real.by_type
    assert [p["key"] for p in preview.preview] == [p["key"] for p in real.preview]


def test_a_failure_midway_leaves_the_bank_as_it_was(app, monkeypatch):
    course = make_course("loi")
    import_questions(course, parse_gift(GIFT))
    db.session.commit()  # the caller commits (the test is the boundary)
    before = count_questions()
    texts = {q.id: q.text for q in questions_of(course)}

    def fail(*args, **kwargs):
        raise RuntimeError("mất kết nối")

    monkeypatch.setattr(bank_chunks.audit, "record", fail)  # after every question is flushed
    bigger = GIFT.replace("Câu hỏi hai?", "Đã sửa?") + "\n::Ba:: Ba? {T}\n"
    with pytest.raises(RuntimeError):
        import_questions(course, parse_gift(bigger))
    db.session.expire_all()
    assert count_questions() == before
    assert {q.id: q.text for q in questions_of(course)} == texts
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_duplicate_keys_and_titles(app):
    course = make_course("trung")
    text = "// [id:x]\n::A:: a? {T}\n\n// [id:x]\n::B:: b? {T}\n\n::C:: c? {T}\n\n::C:: c2? {F}\n"
    summary = import_questions(course, parse_gift(text))
    assert [(e.line, e.message) for e in summary.errors] == [
        (5, "Mã câu hỏi «x» trùng với câu ở dòng 2")
    ]
    go_live(course)
    stored = [(q.key, q.title, q.text) for q in questions_of(course)]
    assert [(t, x) for _k, t, x in stored] == [("A", "a?"), ("C", "c?"), ("C", "c2?")]
    assert stored[0][0] == "x" and stored[1][0] != stored[2][0]
    again = import_questions(course, parse_gift(text))  # the same file: the same questions
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


# --- round trip through the database ----------------------------------------------------------

ROUND_TRIP_FILES = sorted(
    p for p in INTEROP.glob("*/*") if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md")
)


def _stored(course: Course, fmt: str) -> list[tuple]:
    out = []
    for q in questions_of(course):
        data = dict(q.data)
        if fmt in ("gift", "xlsx"):
            data.pop("shuffle", None)  # neither format carries Moodle's shuffle flag
        explanation = "" if (fmt == "gift" and q.qtype == "description") else q.explanation
        out.append(
            (q.key, q.qtype, q.title, q.text, q.text_format, data)
            + (explanation, q.reference, q.category, q.tags)
        )
    return out


@pytest.mark.parametrize("fmt", ["gift", "xml", "xlsx"])
def test_round_trip_through_the_database(app, fmt):
    assert len(ROUND_TRIP_FILES) >= 30
    checked = 0
    for number, path in enumerate(ROUND_TRIP_FILES):
        source = make_course(f"nguon-{number}")
        import_questions(source, parse_upload(path.read_bytes(), path.name), category_prefix="Gốc")
        go_live(source)
        data, _mimetype, name = export_bank(source, fmt)
        target = make_course(f"dich-{number}")
        again = import_questions(target, parse_upload(data, name))
        go_live(target)
        assert again.errors == [], (path.name, again.errors)
        assert _stored(target, fmt) == _stored(source, fmt), path.name
        checked += len(questions_of(target))
    assert checked >= 250
