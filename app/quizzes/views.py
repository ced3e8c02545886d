from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.permissions import TEACHING_ROLES, in_scope, roles_required
from app.courses.services import get_course_or_404, lessons_done_count
from app.extensions import db
from app.org.models import Role
from app.quizzes import services
from app.quizzes.models import Attempt
from app.quizzes.statistics import item_statistics
from app.quizzes.types import get_type

bp = Blueprint("quizzes", __name__)


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    """Attempts are private: another officer's attempt id answers 404, as if it did not exist."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/khoa-hoc/<slug>/kiem-tra")
@login_required
def quiz(slug: str):
    course = get_course_or_404(slug)
    return render_template(
        "quizzes/start.html",
        course=course,
        form=FlaskForm(),
        attempts=services.user_attempts(current_user, course),
        lessons_done=lessons_done_count(current_user, course),
        lessons_total=len([x for x in course.lessons if x.active]),
        question_count=len(services.active_questions(course)),
        attempts_left=services.attempts_left(current_user, course),
    )


@bp.post("/khoa-hoc/<slug>/kiem-tra")
@login_required
def start(slug: str):
    course = get_course_or_404(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(current_user, course)
    except services.AttemptRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".quiz", slug=slug))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.get("/bai-lam/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.is_submitted:
        return redirect(url_for(".review", attempt_id=attempt.id))
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        course=attempt.course,
        questions=services.attempt_questions(attempt),
        form=FlaskForm(),
        order=(attempt.answers or {}).get("_order", {}),
    )


@bp.post("/bai-lam/<int:attempt_id>")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not FlaskForm().validate_on_submit():
        flash(_("Phiên làm bài đã hết hạn. Vui lòng gửi lại."), "error")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    result = services.submit_attempt(attempt, services.read_answers(attempt, request.form))
    if not result.newly_submitted:
        flash(_("Bài làm này đã được nộp trước đó; kết quả không thay đổi."), "info")
    return redirect(url_for(".review", attempt_id=attempt.id))


@bp.get("/bai-lam/<int:attempt_id>/ket-qua")
@login_required
def review(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    return render_template(
        "quizzes/review.html",
        revealed=services.answers_revealed(attempt, attempt.course),
        attempt=attempt,
        course=attempt.course,
        items=services.review_items(attempt),
        form=FlaskForm(),
    )


@bp.get("/khoa-hoc/<slug>/thong-ke")
@login_required
def statistics(slug: str):
    if not current_user.can_author:
        abort(403)
    course = get_course_or_404(slug)
    return render_template("quizzes/statistics.html", course=course, items=item_statistics(course))


def _attempt_in_scope_or_404(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not in_scope(current_user, attempt.user.unit.path, TEACHING_ROLES):
        abort(404)
    return attempt


@bp.get("/cham-bai")
@login_required
@roles_required(Role.TRAINER, Role.PROVINCE_ADMIN)
def grading_list():
    return render_template(
        "quizzes/grading_list.html", attempts=services.attempts_to_grade(current_user)
    )


@bp.route("/cham-bai/<int:attempt_id>", methods=["GET", "POST"])
@login_required
@roles_required(Role.TRAINER, Role.PROVINCE_ADMIN)
def grade(attempt_id: int):
    attempt = _attempt_in_scope_or_404(attempt_id)
    essays = [q for q in services.attempt_questions(attempt) if get_type(q.qtype).manual]
    form = FlaskForm()
    errors: dict[int, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        grades = {}
        for question in essays:
            raw = request.form.get(f"diem-{question.id}", "").strip().replace(",", ".")
            try:
                value = float(raw)
            except ValueError:
                errors[question.id] = _("Nhập điểm từ 0 đến 100.")
                continue
            if not 0 <= value <= 100:
                errors[question.id] = _("Nhập điểm từ 0 đến 100.")
                continue
            grades[question.id] = value / 100
        if not errors:
            services.grade_manually(attempt, grades, current_user)
            flash(_("Đã lưu điểm. Bài làm đạt %(s)s.", s=f"{attempt.score:.0f}%"), "success")
            return redirect(url_for(".grading_list"))
    answers = attempt.answers or {}
    return render_template(
        "quizzes/grade.html",
        attempt=attempt,
        essays=essays,
        form=form,
        answers=answers,
        errors=errors,
        scores=attempt.scores or {},
    )
