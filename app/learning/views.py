from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.dates import local_today
from app.core.page_cache import cached_page
from app.courses import services as catalog
from app.extensions import db
from app.learning import lesson_cache, services
from app.learning.reopened import reopened_courses
from app.legal import amendments
from app.legal import services as legal
from app.progress.services import records_for_user

bp = Blueprint("courses", __name__)


@bp.get("/bang-dieu-khien")
@login_required
def dashboard():
    year = local_today().year
    cards = services.dashboard(current_user, year)
    due = [r for r in records_for_user(current_user, year) if r.required and not r.completed_on]
    return render_template(
        "courses/dashboard.html",
        cards=cards,
        due=due,
        year=year,
        today=local_today(),
        reopened=reopened_courses(current_user, [card.course for card in cards]),
    )


@bp.get("/khoa-hoc/<slug>")
@login_required
def course(slug: str):
    course = catalog.get_course_or_404(slug)
    done = catalog.done_lesson_ids(current_user, course)
    lessons = catalog.active_lessons(course)
    return render_template(
        "courses/course.html",
        course=course,
        lessons=lessons,
        done=done,
        reopened=reopened_courses(current_user, [course]).get(course.id),
        notices=amendments.course_notices(course),
        documents=legal.course_documents(course),
    )


@bp.get("/khoa-hoc/<slug>/bai/<int:position>")
@login_required
def lesson(slug: str, position: int):
    course, lesson, is_done = lesson_cache.lesson_for(slug, position, current_user.id)
    # The page shows nothing of the user but the menu (his roles) and whether he has done
    # the lesson; the course's stamp moves with any change to its text (lesson_cache).
    key = ("lesson", course.id, course.updated_at, lesson.id, is_done, current_user.roles)
    return cached_page(
        key,
        lambda: render_template(
            "courses/lesson.html",
            course=course,
            lesson=lesson,
            lessons=course.lessons,
            is_done=is_done,
            previous=position - 1 if position > 1 else None,
            next=position + 1 if position < len(course.lessons) else None,
        ),
    )


@bp.post("/khoa-hoc/<slug>/bai/<int:position>/hoan-thanh")
@login_required
def mark_done(slug: str, position: int):
    course = catalog.get_course_or_404(slug)
    lesson = catalog.get_lesson_or_404(course, position)
    if FlaskForm().validate_on_submit():
        services.mark_lesson_done(current_user, lesson)
        db.session.commit()
        flash(_("Đã đánh dấu hoàn thành bài “%(title)s”.", title=lesson.title), "success")
    lessons = catalog.active_lessons(course)
    if position < len(lessons):
        return redirect(url_for(".lesson", slug=slug, position=position + 1))
    return redirect(url_for(".course", slug=slug))
