"""Import every model so that metadata (Alembic, create_all) sees them all."""

from app.auth.models import AccountToken
from app.certificates.models import Certificate
from app.core.audit import AuditEvent
from app.courses.models import (
    CompletionHistory,
    Course,
    CourseDraft,
    CourseOwner,
    CourseVersion,
    Lesson,
    LessonDraft,
    LessonProgress,
    QuestionDraft,
)
from app.legal.models import LegalAmendment, LegalDocument, LegalReference
from app.org.models import OrgUnit, RoleGrant, UnitMembership, User
from app.progress import coverage_officers, coverage_stamps
from app.progress.coverage_counts import CoverageCount, install_triggers_on_create
from app.progress.coverage_officers import CoverageOfficer, CoverageOfficerCount
from app.progress.coverage_stamps import CoverageStamp
from app.progress.models import ClassAttendance, PlanItem, TrainingClass, TrainingRecord
from app.quizzes.jobs import ImportJob
from app.quizzes.models import Attempt, Question
from app.reminders.models import ReminderLog
from app.roster.jobs import RosterImportJob

install_triggers_on_create()
coverage_officers.install_triggers_on_create()
coverage_stamps.install_triggers_on_create()

__all__ = [
    "AccountToken",
    "CoverageCount",
    "CoverageOfficer",
    "CoverageOfficerCount",
    "CoverageStamp",
    "Attempt",
    "AuditEvent",
    "Certificate",
    "ClassAttendance",
    "CompletionHistory",
    "Course",
    "CourseDraft",
    "CourseOwner",
    "CourseVersion",
    "ImportJob",
    "Lesson",
    "LegalAmendment",
    "LegalDocument",
    "LegalReference",
    "RoleGrant",
    "RosterImportJob",
    "LessonDraft",
    "LessonProgress",
    "OrgUnit",
    "PlanItem",
    "Question",
    "QuestionDraft",
    "ReminderLog",
    "TrainingClass",
    "TrainingRecord",
    "UnitMembership",
    "User",
]
