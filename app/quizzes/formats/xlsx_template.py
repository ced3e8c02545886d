"""The XLSX import template trainers fill (`app/static/templates/mau-cau-hoi.xlsx`): an empty
«Câu hỏi» sheet with the parser's own headings, a guide, and one example row per question type,
written by the same code as an export (`question_row`), so the template cannot drift from what
`parse_xlsx` reads; the tests import its example rows back.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from .base import ParsedAnswer, ParsedQuestion
from .xlsx_columns import COLUMN_WIDTHS, COLUMNS, SHEET, TYPE_LABELS
from .xlsx_export import question_row

GUIDE = [
    "Mỗi dòng của trang «Câu hỏi» là một câu hỏi; dòng 1 là tiêu đề, giữ nguyên.",
    "Mã câu hỏi: mã ổn định; nhập lại cùng mã sẽ cập nhật câu hỏi thay vì thêm bản sao.",
    "Loại: " + ", ".join(TYPE_LABELS.values()) + ".",
    "Danh mục: đường dẫn như «Nguyên tắc/Hồ sơ» (dùng cho đề thi rút theo danh mục).",
    "Định dạng: để trống (văn bản thường), html hoặc markdown.",
    "Phương án A…F: các phương án; từ phương án thứ 7 ghi vào cột «Phương án», mỗi dòng một.",
    "Đáp án đúng — một lựa chọn: B; nhiều lựa chọn: A, C (chia đều) hoặc A:50;C:50;B:-100.",
    "Nhiều lựa chọn: phương án sai không ghi trọng số sẽ tự nhận trọng số âm (chia đều) để "
    "chọn tất cả các phương án được 0 điểm; trọng số tự ghi mà chọn tất cả vẫn trên 0 bị từ chối.",
    "Đáp án đúng — đúng sai: Đúng hoặc Sai; trả lời ngắn: đáp án 1 | đáp án 2 | %50%gần đúng.",
    "Đáp án đúng — số: 3 ± 0,5 (sai số) hoặc 1..5 (khoảng); ghép đôi, điền chỗ trống: để trống.",
    "Điền chỗ trống: viết chỗ trống ngay trong câu hỏi theo cú pháp Moodle, "
    "ví dụ «Thủ đô là {1:SHORTANSWER:=Hà Nội}.» hoặc {1:MULTICHOICE:=đúng~sai}.",
    "Ghép đôi: mỗi phương án «vế trái -> vế phải»; «-> vế phải» là phương án gây nhiễu.",
    "Phản hồi: mỗi dòng «A: …» (theo chữ cái), «1: …» (theo thứ tự đáp án) hoặc «Đúng: …».",
    "Giải thích: hiện sau khi nộp bài. Căn cứ: văn bản và điều khoản. Thẻ: cách nhau bởi «;».",
    "Xem trang «Ví dụ»: mỗi loại câu hỏi một dòng mẫu.",
]


def examples() -> list[ParsedQuestion]:
    """One sample question of each type (the template's «Ví dụ» sheet, tested to import).

    Trainers copy these, so they state only what ../shared/domain/FACTS.md marks VERIFIED (the
    provincial plan for Nghị quyết 07/NQ-TLĐ) or CORROBORATED with its reference (the law's
    number and date), and no article numbers: a sample must not teach an unchecked claim.
    """
    law = "Luật Thi đua, khen thưởng số 06/2022/QH15"
    plan = "Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ"
    return [
        ParsedQuestion(
            "single",
            "Luật Thi đua, khen thưởng hiện hành có số hiệu là gì?",
            key="vd-01",
            category="Quy định chung",
            reference=law,
            tags=["luật"],
            general_feedback="Luật số 06/2022/QH15 được Quốc hội khóa XV thông qua ngày 15/6/2022.",
            answers=[
                ParsedAnswer("06/2022/QH15", 1.0),
                ParsedAnswer(
                    "06/2022/NĐ-CP", 0.0, "Ký hiệu NĐ-CP là của nghị định, không phải luật."
                ),
            ],
        ),
        ParsedQuestion(
            "multi",
            "Công đoàn cấp trên trực tiếp cơ sở và CĐCS tổng hợp, đánh giá kết quả thực hiện "
            "Nghị quyết 07/NQ-TLĐ gửi Liên đoàn Lao động tỉnh theo định kỳ nào? (chọn hai)",
            key="vd-02",
            category="Báo cáo",
            reference=plan,
            general_feedback="Định kỳ 06 tháng và hằng năm.",
            single=False,
            answers=[
                ParsedAnswer("06 tháng", 0.5),
                ParsedAnswer("Hằng năm", 0.5),
                ParsedAnswer("Hằng quý", -1.0),
            ],
        ),
        ParsedQuestion(
            "truefalse",
            "Theo kế hoạch, cán bộ làm công tác thi đua, khen thưởng ở CĐCS là cán bộ "
            "chuyên trách.",
            key="vd-03",
            reference=plan,
            general_feedback="CĐCS phân công một cán bộ công đoàn kiêm nhiệm công tác thi đua, "
            "khen thưởng; cán bộ chuyên trách ở Liên đoàn Lao động tỉnh.",
            answers=[ParsedAnswer("true", 0.0), ParsedAnswer("false", 1.0, "Chính xác.")],
        ),
        ParsedQuestion(
            "short",
            "Viết tắt của «Công đoàn cơ sở» là gì?",
            key="vd-04",
            general_feedback="CĐCS.",
            answers=[ParsedAnswer("CĐCS", 1.0), ParsedAnswer("CDCS", 0.5, "Thiếu dấu.")],
        ),
        ParsedQuestion(
            "numerical",
            "Chỉ tiêu hằng năm: ít nhất bao nhiêu phần trăm tổng số cá nhân được khen thưởng là "
            "công nhân, lao động trực tiếp sản xuất, công chức, viên chức không giữ vị trí lãnh "
            "đạo, quản lý?",
            key="vd-05",
            reference=plan,
            general_feedback="Ít nhất 15%.",
            answers=[ParsedAnswer("15", 1.0)],
        ),
        ParsedQuestion(
            "matching",
            "Ghép chữ viết tắt với tên đầy đủ.",
            key="vd-06",
            general_feedback="Các chữ viết tắt thường gặp trong văn bản công đoàn.",
            answers=[
                ParsedAnswer("Liên đoàn Lao động", 1.0, match_left="LĐLĐ"),
                ParsedAnswer("Thi đua, khen thưởng", 1.0, match_left="TĐKT"),
                ParsedAnswer("Công đoàn ngành", 0.0, match_left=""),
            ],
        ),
        ParsedQuestion(
            "essay",
            "Nêu cách anh/chị theo dõi để mọi cán bộ làm công tác thi đua, khen thưởng của đơn "
            "vị được tập huấn trong năm.",
            key="vd-07",
            general_feedback="Bài tự luận: giảng viên chấm.",
        ),
        ParsedQuestion("description", "Phần II: Hồ sơ khen thưởng.", key="vd-08"),
    ]


def build_template() -> bytes:
    """The import template: an empty «Câu hỏi» sheet, the guide and one example per type,
    written by the same code as `export_xlsx` (the example rows are tested to import)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(SHEET)
    sheet.append([heading for _key, heading in COLUMNS])
    type_column = next(i for i, (k, _h) in enumerate(COLUMNS) if k == "qtype")
    letter = sheet.cell(row=1, column=type_column + 1).column_letter
    rule = DataValidation(
        type="list", formula1='"' + ",".join(TYPE_LABELS.values()) + '"', allow_blank=True
    )
    rule.add(f"{letter}2:{letter}5001")
    sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    for index, (key, _heading) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = COLUMN_WIDTHS.get(key, 18)
    guide = book.create_sheet("Hướng dẫn")
    for line in GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    sample = book.create_sheet("Ví dụ")
    sample.append([heading for _key, heading in COLUMNS])
    for q in examples():
        sample.append([value or None for value in question_row(q)])
    book.properties.creator = "TĐKT Learn"
    book.properties.created = datetime(2025, 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "static" / "templates" / "mau-cau-hoi.xlsx"


def write_template(path: Path = TEMPLATE_PATH) -> Path:
    """Regenerate the shipped template (`flask questions template`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_template())
    return path
