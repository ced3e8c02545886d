"""Where imported questions go: drafts of the course's bank, matched to what is there by
their identity in the bank.

Imported questions never reach learners at once: each becomes a `QuestionDraft`, applied with
the course's next publish (`app.authoring.versions.publish_course`), like an edit in the
authoring pages. A question's identity is (category path, idnumber), else (category path,
title), else (category path, text): so the same idnumber or title in two categories — or in two
files, whose questions without a category are put in a category named after the file — are two
different questions, and re-importing a file updates its own questions only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select

from app.core.db import utcnow
from app.courses.models import QuestionDraft
from app.quizzes.formats.base import short_label
from app.quizzes.models import Question, QuestionCategory

# Keys the course loader and earlier imports made for questions without an idnumber.
_DERIVED_PREFIXES = ("title:", "text:")
_KEY_LIMIT = 120
_FILE_SUFFIXES = (".gift", ".aiken", ".txt", ".xml", ".xlsx")
_TITLE_KEY = re.compile(r"^title:(?:[0-9a-f]{10}:)?")


def category_for_file(filename: str) -> str:
    """The category of an upload's questions that have none: the file's name without its
    folder and extensions ("moodle-questions.gift.txt" → "moodle-questions")."""
    name = PurePath((filename or "").replace("\\", "/")).name
    while name.lower().endswith(_FILE_SUFFIXES):
        name = name[: name.rindex(".")]
    return " ".join(name.replace("/", " ").split())[:120]


def identity(category: str, key: str, title: str, text: str) -> tuple[str, str, str]:
    """(category, kind, value): the question's identity in the bank."""
    if key and not key.startswith(_DERIVED_PREFIXES):
        return (category, "id", key)
    if title:
        return (category, "title", title)
    return (category, "text", hashlib.sha1(text.encode()).hexdigest())


@dataclass
class BankItem:
    """A question of the bank as authors see it: the live row, its draft, or both."""

    key: str
    question: Question | None
    draft: QuestionDraft | None

    def current(self, name: str):
        """The field as it will be after the next publish (the draft's when it has one)."""
        if self.draft is not None:
            value = getattr(self.draft, name, None)
            if name == "text_format" and not value and self.question is not None:
                return self.question.text_format
            if name == "tags" and value is None:
                return list(self.question.tags or []) if self.question is not None else []
            if name == "title" and not value and self.question is not None:
                return self.question.title
            return value
        return getattr(self.question, name)


class BankIndex:
    """The course's questions and drafts, found by key and by identity."""

    def __init__(self, course_id: int, session):
        questions = session.scalars(select(Question).where(Question.course_id == course_id))
        drafts = session.scalars(select(QuestionDraft).where(QuestionDraft.course_id == course_id))
        self.by_key: dict[str, BankItem] = {}
        for question in questions:
            self.by_key[question.key] = BankItem(question.key, question, None)
        for draft in drafts:
            item = self.by_key.setdefault(draft.key, BankItem(draft.key, None, None))
            item.draft = draft
        self.by_identity: dict[tuple, BankItem] = {}
        for item in self.by_key.values():
            category = item.current("category") or ""
            ident = identity(
                category, item.key, item.current("title") or "", item.current("text") or ""
            )
            self.by_identity.setdefault(ident, item)
            if item.key.startswith("title:"):  # a numbered duplicate title ("Câu 1#2")
                value = _TITLE_KEY.sub("", item.key)
                self.by_identity.setdefault((category, "title", value), item)
        self.position = max(
            (i.question.position for i in self.by_key.values() if i.question), default=0
        )

    def find(self, ident: tuple) -> BankItem | None:
        return self.by_identity.get(ident)

    def new_key(self, ident: tuple, taken: set[str]) -> str:
        """A key for a new question: its idnumber when free, else one derived from its
        category and title (or text), unique in the course."""
        category, kind, value = ident
        if kind == "id":
            base = value[:_KEY_LIMIT]
        else:
            digest = hashlib.sha1(f"{category}\n{value}".encode()).hexdigest()[:10]
            base = f"{kind}:{digest}:{value}"[:_KEY_LIMIT] if kind == "title" else f"text:{digest}"
        key, number = base, 2
        while key in self.by_key or key in taken:
            suffix = f"#{number}"
            key = base[: _KEY_LIMIT - len(suffix)] + suffix
            number += 1
        return key


# The fields an import writes: compared to tell "unchanged" from "updated".
FIELDS = ("qtype", "title", "text", "text_format", "data", "explanation", "reference")
FIELDS += ("category", "tags")


def same_as_current(item: BankItem, values: dict) -> bool:
    if not item.current("active"):
        return False
    current = {name: item.current(name) for name in FIELDS}
    current["tags"] = list(current["tags"] or [])
    return current == {name: values[name] for name in FIELDS}


def stage_chunk(session, course_id: int, items, actor_id: int | None) -> None:
    """Write the draft of each planned item (`.key`, `.values`) with the imported values,
    active: an upsert by (course, key), so writing the same chunk twice (a resumed import)
    leaves what writing it once does. Nothing learners read changes."""
    if not items:
        return
    drafts = {
        draft.key: draft
        for draft in session.scalars(
            select(QuestionDraft).where(
                QuestionDraft.course_id == course_id,
                QuestionDraft.key.in_([item.key for item in items]),
            )
        )
    }
    for item in items:
        draft = drafts.get(item.key)
        if draft is None:
            draft = drafts[item.key] = QuestionDraft(course_id=course_id, key=item.key)
            session.add(draft)
        for name in FIELDS:
            setattr(draft, name, item.values[name])
        draft.active = True
        draft.author_id = actor_id
        draft.saved_at = utcnow()


def plan_all(index: BankIndex, prepared, summary, preview_limit: int) -> None:
    """Decide, for each prepared question (`.ident`, `.values`, `.line`), its key in the bank
    and whether the import adds it ("new"), rewrites its draft ("updated") or leaves it
    ("unchanged"), setting `.key` and `.action`; and tell `summary` (an `ImportSummary`) what
    the import does. Reads only: the writing is `stage_chunk`'s."""
    taken: set[str] = set()
    for item in prepared:
        existing = index.find(item.ident)
        if existing is None:
            key = index.new_key(item.ident, taken)
            action = "new"
            summary.created += 1
        elif same_as_current(existing, item.values):
            key, action = existing.key, "unchanged"
            summary.unchanged += 1
        else:
            key, action = existing.key, "updated"
            summary.updated += 1
            summary.changes.append(
                {
                    "line": item.line,
                    "key": key,
                    "title": existing.current("title") or short_label(existing.current("text")),
                    "category": existing.current("category") or "",
                }
            )
        item.key, item.action = key, action
        taken.add(key)
        values = item.values
        if not values["explanation"].strip() or not values["reference"].strip():
            summary.unannotated.append(
                {
                    "line": item.line,
                    "title": values["title"] or short_label(values["text"], 60),
                    "explanation": bool(values["explanation"].strip()),
                    "reference": bool(values["reference"].strip()),
                }
            )
        summary.count(values["qtype"], action)
        if len(summary.preview) < preview_limit:
            summary.preview.append(
                {
                    "line": item.line,
                    "key": key,
                    "action": action,
                    **{n: values[n] for n in ("qtype", "title", "category", "text_format")},
                    "data": values["data"],  # a cloze stem is drawn with its gaps
                    "text": values["text"][:2000],
                }
            )


def keep_categories(session, course_id: int, prefix: str, info: dict[str, dict]) -> None:
    """Keep the description and idnumber a file gives its categories (Moodle XML), under the
    import's category prefix. A later file that says nothing of a category leaves it as is."""
    for path, details in info.items():
        full = "/".join(p for p in (prefix, path) if p)[:255]
        row = session.scalar(
            select(QuestionCategory).where(
                QuestionCategory.course_id == course_id, QuestionCategory.path == full
            )
        )
        if row is None:
            row = QuestionCategory(course_id=course_id, path=full)
            session.add(row)
        row.idnumber = details.get("idnumber", "")
        row.description = details.get("description", "")


def category_info(session, course_id: int) -> dict[str, dict]:
    """{path: {"idnumber", "description"}} of the course's described categories."""
    rows = session.scalars(select(QuestionCategory).where(QuestionCategory.course_id == course_id))
    return {r.path: {"idnumber": r.idnumber, "description": r.description} for r in rows}
