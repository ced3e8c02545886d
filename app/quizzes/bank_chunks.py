"""Writing a checked question-bank import in chunks of short transactions.

A bank of thousands of questions written in one transaction held SQLite's only write lock for
the whole import: learners' quiz submits waited, then got a 503. Here each chunk of `CHUNK`
questions is its own transaction, and on SQLite the loop pauses after each so that waiting
writers get in (`app.core.jobs.let_other_writers_in`), as the roster import does.

Every write is idempotent — a draft is upserted by (course, key), an image by (course,
content digest), category details by path — and the chunks are cut from the checked list of
the file's valid questions, which is the same on every run of the same upload. So a run cut
short (worker killed, database error) is resumed by writing the questions after the last chunk
committed, and ends in exactly the state an uninterrupted run gives. What is written once per
import is tied to a chunk: the categories' details to the first, the audit entry to the last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

from app.core import audit
from app.core.jobs import let_other_writers_in
from app.extensions import db
from app.quizzes import bank_drafts
from app.quizzes.question_files import attach_files

CHUNK = 200


def write(
    course_id: int,
    prepared: list,
    summary,
    *,
    prefix: str,
    category_info: dict[str, dict],
    actor_id: int | None,
    filename: str,
    after_chunk: int,
    after: int,
    checkpoint: Callable | None,
    report: Callable[[str, int, int], None],
) -> None:
    """Write the planned questions (`bank._Prepared` with `.key` and `.action` set), chunk by
    chunk, after the `after_chunk` chunks an earlier run committed, which wrote the first
    `after` questions (a position, not `after_chunk * CHUNK`: a resumed run may have another
    CHUNK). `checkpoint(summary, chunks written, questions passed, questions in all)` runs
    inside each chunk's transaction, so the caller's record of how far it got commits with
    the chunk. A failing chunk is rolled back and the exception propagates; the chunks before
    it stay."""
    total = len(prepared)
    # An import with nothing to write still records its categories and audit entry: one chunk.
    starts = list(range(after, total, CHUNK)) or ([0] if after_chunk == 0 else [])
    report("write", after, total)
    for number, start in enumerate(starts, start=after_chunk + 1):
        held_since = time.monotonic()
        passed = min(start + CHUNK, total)
        try:
            if number == 1:
                bank_drafts.keep_categories(db.session, course_id, prefix, category_info)
            _write_chunk(course_id, prepared[start:passed], actor_id)
            if passed == total:
                audit.record(
                    "questions.import",
                    "course",
                    course_id,
                    actor_id,
                    file=filename,
                    created=summary.created,
                    updated=summary.updated,
                    errors=len(summary.errors),
                    drafts=True,
                )
            if checkpoint is not None:
                checkpoint(summary, number, passed, total)
            db.session.commit()  # one chunk = one transaction with its checkpoint (a job step)
        except Exception:
            db.session.rollback()
            raise
        report("write", passed, total)
        let_other_writers_in(time.monotonic() - held_since)


def _write_chunk(course_id: int, chunk: list, actor_id: int | None) -> None:
    """Stage the chunk's new and changed questions as drafts, storing their images first (the
    check only planned their URLs: a new image gets its id here)."""
    writes = []
    for item in chunk:
        if item.action == "unchanged":
            continue
        values = item.values
        if item.parsed.files:
            (text, explanation), _left_out = attach_files(
                db.session, course_id, item.parsed.files, list(item.raw)
            )  # what was left out is in the check's warnings already
            values = {**values, "text": text, "explanation": explanation}
        writes.append(SimpleNamespace(key=item.key, values=values))
    bank_drafts.stage_chunk(db.session, course_id, writes, actor_id)
    db.session.flush()
