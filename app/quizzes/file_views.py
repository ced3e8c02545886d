"""Serving the images of imported questions (`app.quizzes.question_files`).

Signed-in users only; an image of a course not yet published is seen only by those who may
edit that course (its owners and the province admin). The name in the URL must be the stored
one (no guessing by id alone)."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from app.courses import owners
from app.courses.models import Course
from app.extensions import db
from app.quizzes.models import QuestionFile

bp = Blueprint("question_files", __name__)


@bp.get("/tep-cau-hoi/<int:file_id>/<path:name>")
@login_required
def serve(file_id: int, name: str):
    stored = db.session.get(QuestionFile, file_id)
    if stored is None or stored.name != name:
        abort(404)
    course = db.session.get(Course, stored.course_id)
    if course is None or not (course.published or owners.may_edit(current_user, course)):
        abort(404)
    return Response(
        stored.content,
        mimetype=stored.mimetype,
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        },
    )
