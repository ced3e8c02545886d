from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.db import reads_first, writing
from app.courses.services import active_lessons, get_course_or_404, lessons_done_count
from app.extensions import db
from app.org.scope import (
    TRAINER_ROLES,
    attempt_in_scope_or_404,
    grading_refusal,
    own_attempt_or_404,
    roles_required,
)
from app.quizzes import grading, rules, saving, services
from app.quizzes.models import Attempt
from app.quizzes.statistics import item_statistics
from app.quizzes.types import get_type

bp = Blueprint("quizzes", __name__)


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    return own_attempt_or_404(current_user, db.session.get(Attempt, attempt_id))


@bp.get("/khoa-hoc/<slug>/kiem-tra")
@login_required
def quiz(slug: str):
    course = get_course_or_404(slug)
    services.close_overdue(current_user, course)
    db.session.commit()
    open_attempt = services.open_attempt(current_user, course)
    return render_template(
        "quizzes/start.html",
        course=course,
        form=FlaskForm(),
        resumable=open_attempt is not None and open_attempt.course_version == course.version_major,
        refusal=rules.start_refusal(current_user, course),
        attempts=services.user_attempts(current_user, course),
        lessons_done=lessons_done_count(current_user, course),
        lessons_total=len(active_lessons(course)),
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
        db.session.commit()  # an overdue attempt closed on the way stays closed
        flash(str(refusal), "error")
        return redirect(url_for(".quiz", slug=slug))
    db.session.commit()
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def _open_attempt_or_redirect(attempt: Attempt):
    """None when the attempt takes answers; else the redirect to its result. An attempt whose
    time is up is submitted here with what was saved in time."""
    if not attempt.is_submitted and saving.is_overdue(attempt):
        services.submit_attempt(attempt, {})
        db.session.commit()
        flash(_("Đã hết thời gian làm bài: bài được chấm với các câu trả lời đã lưu."), "info")
    if attempt.is_submitted:
        return redirect(url_for(".review", attempt_id=attempt.id))
    return None


@bp.get("/bai-lam/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    closed = _open_attempt_or_redirect(attempt)
    if closed:
        return closed
    questions = services.attempt_questions(attempt)
    pages = saving.page_count(questions)
    page = min(max(request.args.get("trang", 1, type=int), 1), pages)
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        course=attempt.course,
        questions=saving.page_of(questions, page),
        first_number=(page - 1) * saving.PAGE_SIZE + 1,
        page=page,
        pages=pages,
        progress=saving.progress(attempt, questions),
        saved=attempt.answers or {},
        form=FlaskForm(),
        order=(attempt.answers or {}).get("_order", {}),
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/bai-lam/<int:attempt_id>/luu")
@login_required
def save(attempt_id: int):
    """Save the answers of one page: the page's script on every change (JSON reply), or the
    "Lưu và tiếp tục" buttons without it (redirect to the page asked for)."""
    attempt = _own_attempt_or_404(attempt_id)
    if not FlaskForm().validate_on_submit():
        if _wants_json():
            return jsonify(error=_("Phiên làm việc đã hết hạn. Hãy tải lại trang.")), 400
        flash(_("Phiên làm việc đã hết hạn; câu trả lời vừa rồi chưa được lưu."), "error")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    questions = services.attempt_questions(attempt)
    try:
        saving.save_answers(attempt, saving.answers_in_form(questions, request.form))
        db.session.commit()
    except saving.SaveRefused as refusal:
        closed = _open_attempt_or_redirect(attempt)  # submits an attempt whose time is up
        if _wants_json():
            target = url_for(".review", attempt_id=attempt.id)
            return jsonify(error=str(refusal), review_url=target), 409
        flash(str(refusal), "error")
        return closed or redirect(url_for(".attempt", attempt_id=attempt.id))
    progress = saving.progress(attempt, questions)
    if _wants_json():
        return jsonify(
            answered=progress.answered,
            total=progress.total,
            unanswered=[number for number, _page in progress.unanswered],
        )
    goto = request.form.get("goto", "")
    if goto == "nop":
        return redirect(url_for(".summary", attempt_id=attempt.id))
    page = int(goto) if goto.isdigit() else 1
    return redirect(url_for(".attempt", attempt_id=attempt.id, trang=page))


@bp.get("/bai-lam/<int:attempt_id>/nop")
@login_required
def summary(attempt_id: int):
    """Before submitting: how many questions are answered, and which are still blank."""
    attempt = _own_attempt_or_404(attempt_id)
    closed = _open_attempt_or_redirect(attempt)
    if closed:
        return closed
    questions = services.attempt_questions(attempt)
    return render_template(
        "quizzes/summary.html",
        attempt=attempt,
        course=attempt.course,
        progress=saving.progress(attempt, questions),
        form=FlaskForm(),
    )


@bp.post("/bai-lam/<int:attempt_id>")
@login_required
@reads_first  # 50 officers submit at once: each holds SQLite's write lock for its writes only
def submit(attempt_id: int):
    """Submit: the answers the form carries are saved first. Sent from an attempt page (its
    questions listed in `shown`) with questions still blank, it shows the summary of blank
    questions instead; the summary page (and the timer) send `xac-nhan` to really submit."""
    attempt = _own_attempt_or_404(attempt_id)
    if not FlaskForm().validate_on_submit():
        flash(_("Phiên làm bài đã hết hạn. Vui lòng gửi lại."), "error")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    if attempt.is_submitted:
        flash(_("Bài làm này đã được nộp trước đó; kết quả không thay đổi."), "info")
        return redirect(url_for(".review", attempt_id=attempt.id))
    questions = services.attempt_questions(attempt)
    answers = saving.answers_in_form(questions, request.form)
    from_attempt_page = bool(request.form.getlist("shown"))
    if from_attempt_page and request.form.get("xac-nhan") != "1" and not saving.is_overdue(attempt):
        staged = saving.merged_answers(attempt, answers)
        if any(saving.is_blank(staged.get(str(q.id))) for q in questions):
            with writing(db.session):
                saving.save_answers(attempt, answers)
            db.session.commit()
            return redirect(url_for(".summary", attempt_id=attempt_id))
    result = services.submit_attempt(attempt, answers, questions)
    db.session.commit()  # the request's one commit: the attempt, its grade and any completion
    if not result.newly_submitted:
        flash(_("Bài làm này đã được nộp trước đó; kết quả không thay đổi."), "info")
    return redirect(url_for(".review", attempt_id=attempt_id))


@bp.get("/bai-lam/<int:attempt_id>/ket-qua")
@login_required
def review(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    return render_template(
        "quizzes/review.html",
        shows=services.review_visibility(attempt, attempt.course),
        attempt=attempt,
        course=attempt.course,
        items=services.review_items(attempt),
        form=FlaskForm(),
    )


@bp.get("/khoa-hoc/<slug>/thong-ke")
@login_required
@roles_required(*TRAINER_ROLES)
def statistics(slug: str):
    course = get_course_or_404(slug)
    return render_template("quizzes/statistics.html", course=course, items=item_statistics(course))


@bp.get("/cham-bai")
@login_required
@roles_required(*TRAINER_ROLES)
def grading_list():
    return render_template(
        "quizzes/grading_list.html", attempts=grading.attempts_to_grade(current_user)
    )


@bp.route("/cham-bai/<int:attempt_id>", methods=["GET", "POST"])
@login_required
@roles_required(*TRAINER_ROLES)
def grade(attempt_id: int):
    attempt = attempt_in_scope_or_404(current_user, db.session.get(Attempt, attempt_id))
    refusal = grading_refusal(current_user, attempt)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for(".grading_list"))
    essays = [q for q in services.attempt_questions(attempt) if get_type(q.qtype).manual]
    form = FlaskForm()
    errors: dict[int, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        grades, comments = {}, {}
        for question in essays:
            comments[question.id] = request.form.get(f"nhan-xet-{question.id}", "")
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
            try:
                grading.grade_manually(attempt, grades, current_user, comments)
                db.session.commit()
            except grading.GradingRefused as refused:  # submitted/graded meanwhile
                flash(str(refused), "error")
                return redirect(url_for(".grading_list"))
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
        comments=attempt.grader_comments or {},
    )
