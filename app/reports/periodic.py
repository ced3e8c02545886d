"""The 6-month and annual training report of the plan (Kế hoạch thực hiện NQ 07/NQ-TLĐ, IV.2):
per child unit, the TĐKT officers who must be trained, those trained by the end of the period,
the rate, and in-person classes held with their participants.

An officer counts as trained when every course required of them that year was completed on or
before the period's last day. One GROUP BY over `training_records`, like the coverage page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, distinct, func, select

from app.core.spreadsheet_safety import csv_rows, neutralise_sheet
from app.extensions import db
from app.org.models import OrgUnit
from app.progress.models import TrainingRecord
from app.reports.services import scope

PERIODS = {"6t": "06 tháng đầu năm", "nam": "cả năm"}


@dataclass
class ReportRow:
    unit_name: str
    officers: int
    trained: int
    classes: int = 0
    participants: int = 0

    @property
    def percent(self) -> float:
        return round(100.0 * self.trained / self.officers, 1) if self.officers else 0.0


@dataclass
class PeriodicReport:
    root: OrgUnit
    year: int
    period: str
    period_end: date
    rows: list[ReportRow]
    total: ReportRow

    @property
    def title(self) -> str:
        return (
            "Báo cáo kết quả tập huấn cán bộ làm công tác thi đua, khen thưởng "
            f"{PERIODS[self.period]} {self.year}"
        )


def period_end(year: int, period: str) -> date:
    return date(year, 6, 30) if period == "6t" else date(year, 12, 31)


def build_report(root: OrgUnit, year: int, period: str) -> PeriodicReport:
    end = period_end(year, period)
    group, conditions = scope(root, [])
    not_done = case(
        (
            (TrainingRecord.completed_on.is_(None)) | (TrainingRecord.completed_on > end),
            TrainingRecord.user_id,
        ),
    )
    stmt = (
        select(group, func.count(distinct(TrainingRecord.user_id)), func.count(distinct(not_done)))
        .select_from(TrainingRecord)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(TrainingRecord.year == year, TrainingRecord.required.is_(True), *conditions)
        .group_by(group)
    )
    counts = {row[0]: (row[1], row[1] - row[2]) for row in db.session.execute(stmt)}
    classes = _class_counts(root, year, end, group, conditions)
    names = _names(root, counts.keys() | classes.keys())
    rows = []
    for unit_id in sorted(
        counts.keys() | classes.keys(), key=lambda k: (k is not None, names.get(k, ""))
    ):
        officers, trained = counts.get(unit_id, (0, 0))
        n_classes, participants = classes.get(unit_id, (0, 0))
        rows.append(
            ReportRow(names.get(unit_id, root.name), officers, trained, n_classes, participants)
        )
    total = ReportRow(
        "Tổng cộng",
        sum(r.officers for r in rows),
        sum(r.trained for r in rows),
        _total_classes(root, year, end, conditions),
        sum(r.participants for r in rows),
    )
    return PeriodicReport(root, year, period, end, rows, total)


def _names(root: OrgUnit, ids) -> dict:
    ids = [i for i in ids if i is not None]
    names = dict(
        db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all()
    )
    names[None] = f"Cán bộ trực thuộc {root.name}"
    return names


def _class_models():
    """In-person classes are optional here: the report works before that feature is loaded."""
    try:
        from app.progress.models import ClassAttendance, TrainingClass
    except ImportError:
        return None
    return TrainingClass, ClassAttendance


def _class_query(year: int, end: date, conditions):
    from app.org.models import User

    models = _class_models()
    if models is None:
        return None
    training_class, attendance = models
    start = date(year, 1, 1)
    return (
        (
            select()
            .select_from(attendance)
            .join(training_class, training_class.id == attendance.class_id)
            .join(User, User.id == attendance.user_id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(training_class.held_on >= start, training_class.held_on <= end, *conditions)
        ),
        training_class,
        attendance,
    )


def _class_counts(root, year, end, group, conditions) -> dict:
    built = _class_query(year, end, conditions)
    if built is None:
        return {}
    base, training_class, attendance = built
    stmt = base.add_columns(
        group, func.count(distinct(training_class.id)), func.count(distinct(attendance.user_id))
    ).group_by(group)
    return {row[0]: (row[1], row[2]) for row in db.session.execute(stmt)}


def _total_classes(root, year, end, conditions) -> int:
    built = _class_query(year, end, conditions)
    if built is None:
        return 0
    base, training_class, _ = built
    return db.session.scalar(base.add_columns(func.count(distinct(training_class.id)))) or 0


HEADERS = [
    "Đơn vị",
    "Số cán bộ làm công tác TĐKT",
    "Đã được tập huấn",
    "Tỷ lệ (%)",
    "Số lớp tập huấn",
    "Số lượt người tham dự",
]


def _table(report: PeriodicReport) -> list[list]:
    rows = [
        [r.unit_name, r.officers, r.trained, r.percent, r.classes, r.participants]
        for r in report.rows
    ]
    t = report.total
    rows.append([t.unit_name, t.officers, t.trained, t.percent, t.classes, t.participants])
    return rows


def to_csv(report: PeriodicReport) -> bytes:
    """UTF-8 with BOM so that Excel opens the Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    heading = [
        [report.title],
        [f"Đơn vị báo cáo: {report.root.name}", f"Tính đến ngày {report.period_end:%d/%m/%Y}"],
        HEADERS,
    ]
    writer.writerows(csv_rows([*heading, *_table(report)]))  # unit names are typed by people
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: PeriodicReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bao cao"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [f"Đơn vị báo cáo: {report.root.name}", f"Tính đến ngày {report.period_end:%d/%m/%Y}"]
    )
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in _table(report):
        sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    neutralise_sheet(sheet)  # unit names are typed by people: never a formula
    sheet.column_dimensions["A"].width = 48
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
