"""Import every model so that metadata (Alembic, create_all) sees them all."""

from app.core.audit import AuditEvent
from app.courses.models import Course, Lesson, LessonProgress
from app.org.models import OrgUnit, UnitMembership, User
from app.progress.models import ClassAttendance, PlanItem, TrainingClass, TrainingRecord
from app.progress.reminders import ReminderLog
from app.quizzes.models import Attempt, Question
from app.reports.certificates import Certificate

__all__ = [
    "Attempt",
    "AuditEvent",
    "Certificate",
    "ClassAttendance",
    "Course",
    "Lesson",
    "LessonProgress",
    "OrgUnit",
    "PlanItem",
    "Question",
    "ReminderLog",
    "TrainingClass",
    "TrainingRecord",
    "UnitMembership",
    "User",
]
