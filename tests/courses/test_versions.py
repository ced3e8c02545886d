"""Versions: a minor one keeps completions, a major one makes officers retake (coverage drops
by exactly the officers who had completed, and their earlier completion is kept)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.authoring.versions import (
    PublishError,
    diff_versions,
    publish_course,
    reassign_after_major_version,
)
from app.core.dates import local_today
from app.courses.models import CompletionHistory, CourseVersion, LessonDraft
from app.courses.owners import add_owner_row
from app.extensions import db
from app.org.models import Role
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.reports.services import coverage


def numbers(cov):
    """(required, trained) of the total and of each child unit, by unit code."""
    rows = {row.unit.code if row.unit else "own": (row.required, row.trained) for row in cov.rows}
    return (cov.total.required, cov.total.trained), rows


@pytest.fixture
def setting(app, course, tree, make_user, plan):
    """Six officers required this year: A1 ×3, A2 ×1, B1 ×2; four have completed
    (two in A1, the one in A2, one in B1). One officer above the province (not in the plan)
    completed voluntarily, an officer of B1 who has since left completed too, and one A1
    officer completed last year too."""
    year = local_today().year
    officers = {
        "a1x": make_user(tree["A1"]),
        "a1y": make_user(tree["A1"]),
        "a1z": make_user(tree["A1"]),
        "a2x": make_user(tree["A2"]),
        "b1x": make_user(tree["B1"]),
        "b1y": make_user(tree["B1"]),
    }
    outsider = make_user(tree["national"])
    plan(year, date(year, 12, 31))
    today = local_today()
    for key in ("a1x", "a1y", "a2x", "b1x"):
        record_completion(officers[key], course, on=today)
    record_completion(outsider, course, on=today)
    leaver = make_user(tree["B1"])
    leaver.active = False
    record_completion(leaver, course, on=today)
    record_completion(officers["a1x"], course, on=date(year - 1, 6, 1))
    db.session.commit()
    trainer = make_user(tree["province"], role=Role.TRAINER)
    add_owner_row(course, trainer)
    db.session.commit()
    return {
        "year": year,
        "officers": officers,
        "outsider": outsider,
        "leaver": leaver,
        "trainer": trainer,
    }


def test_hand_computed_coverage_before_minor_and_after_major(app, course, tree, setting):
    year, trainer = setting["year"], setting["trainer"]
    before = coverage(tree["province"], year, course.id)
    assert numbers(before) == ((6, 4), {"A": (4, 3), "B": (2, 1)})

    # minor: a typo is fixed, every completion stays valid
    version = publish_course(course, "minor", trainer, note="Sửa lỗi chính tả")
    assert version.label == "1.1" and course.version_label == "1.1"
    assert numbers(coverage(tree["province"], year, course.id)) == (
        (6, 4),
        {"A": (4, 3), "B": (2, 1)},
    )
    assert db.session.scalar(select(func.count()).select_from(CompletionHistory)) == 0

    # major: the four province officers required by the plan line retake; the outsider who
    # completed voluntarily and the officer who left (neither required) keep their completion
    new_due = local_today() + timedelta(days=30)
    version = publish_course(course, "major", trainer, note="Nội dung mới", due_on=new_due)
    assert version.label == "2.0" and course.version_label == "2.0"
    after = coverage(tree["province"], year, course.id)
    assert numbers(after) == ((6, 0), {"A": (4, 0), "B": (2, 0)})  # 4 fewer trained

    history = db.session.scalars(
        select(CompletionHistory).order_by(CompletionHistory.user_id)
    ).all()
    required_done = {setting["officers"][k].id for k in ("a1x", "a1y", "a2x", "b1x")}
    assert {h.user_id for h in history} == required_done and len(history) == 4
    assert all(h.version == 1 and h.year == year and h.source == "online" for h in history)
    assert all(h.completed_on == local_today() for h in history)

    this_year = db.session.scalars(select(TrainingRecord).where(TrainingRecord.year == year)).all()
    retake = [r for r in this_year if r.user_id in required_done]
    assert len(retake) == 4 and all(r.due_on == new_due for r in retake)
    assert all(r.required and r.completed_on is None for r in retake)
    for key in ("outsider", "leaver"):
        kept = db.session.scalar(
            select(TrainingRecord).where(
                TrainingRecord.user_id == setting[key].id, TrainingRecord.year == year
            )
        )
        assert not kept.required and kept.completed_on == local_today()
        assert kept.course_version == 1
    # last year's completion is untouched
    last_year = db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == setting["officers"]["a1x"].id,
            TrainingRecord.year == year - 1,
        )
    )
    assert last_year.completed_on == date(year - 1, 6, 1)

    # passing the new version counts again; reassigning again leaves it alone
    record_completion(setting["officers"]["b1y"], course)
    db.session.commit()
    assert reassign_after_major_version(course, new_due) == 0
    db.session.commit()
    assert numbers(coverage(tree["province"], year, course.id)) == (
        (6, 1),
        {"A": (4, 0), "B": (2, 1)},
    )


def test_reassign_service_directly(app, course, tree, setting):
    year = setting["year"]
    course.version_major = 2
    count = reassign_after_major_version(course, date(year, 11, 30))
    db.session.commit()
    assert count == 4  # the required ones; the voluntary learner and the leaver keep theirs
    assert numbers(coverage(tree["province"], year, course.id)) == (
        (6, 0),
        {"A": (4, 0), "B": (2, 0)},
    )
    assert db.session.scalar(select(func.count()).select_from(CompletionHistory)) == 4


def test_major_version_needs_a_due_date(app, course, setting):
    with pytest.raises(PublishError) as error:
        publish_course(course, "major", setting["trainer"])
    assert "hạn hoàn thành" in str(error.value)
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0


def test_snapshots_and_diff_escape_nothing_themselves(app, course, setting):
    trainer = setting["trainer"]
    db.session.add(
        LessonDraft(
            course_id=course.id,
            lesson_id=course.lessons[0].id,
            slug=course.lessons[0].slug,
            title="Mở đầu",
            body_md="Dòng một\n<script>alert(1)</script>",
        )
    )
    db.session.commit()
    new = publish_course(course, "minor", trainer)
    old = db.session.scalar(select(CourseVersion).where(CourseVersion.minor == 0))
    sections = diff_versions(old, new)
    assert [s.title for s in sections] == ["Bài “Mở đầu”"]
    added = [line.text for line in sections[0].lines if line.kind == "add"]
    assert "+<script>alert(1)</script>" in added  # plain text: the template escapes it
    assert new.snapshot["questions"][0]["key"] == "t-01"
    assert len(new.snapshot["questions"]) == 4 and len(new.snapshot["lessons"]) == 3


def test_reloading_older_files_never_reuses_a_version_number(app, course, setting):
    from app.authoring.loader import load_courses
    from tests.conftest import ROOT

    trainer = setting["trainer"]
    assert publish_course(course, "minor", trainer).label == "1.1"
    report = load_courses(ROOT / "tests" / "fixtures" / "courses")
    assert report.errors == [] and len(report.skipped) == 1  # newer in the browser: kept
    db.session.refresh(course)
    assert course.version_label == "1.1"
    assert load_courses(ROOT / "tests" / "fixtures" / "courses", force=True).errors == []
    db.session.refresh(course)
    assert course.version_label == "1.0"  # forced: the files say 1.0
    assert publish_course(course, "minor", trainer).label == "1.2"
    labels = [v.label for v in db.session.scalars(select(CourseVersion).order_by(CourseVersion.id))]
    assert labels == ["1.0", "1.1", "1.2"]
