"""What the generator (app/dev/generate.py) draws from: the 34 provinces, the kinds of upper-level
and grassroots unions, Vietnamese family, middle and given names, place and company names, and
officers' positions by level. Weights follow rough real proportions (Nguyễn ~38% of families,
Hồ Chí Minh City the largest workforce); changing any of them changes every generated dataset.
"""

from __future__ import annotations

from app.org.models import UnitLevel


def _names(text: str, sep: str = "|") -> list[str]:
    return text.split(sep)


# The 34 provincial-level units since 1 July 2025: (name, weight by workforce).
PROVINCES = [
    ("Thành phố Hồ Chí Minh", 14), ("thành phố Hà Nội", 11), ("thành phố Hải Phòng", 4),
    ("thành phố Đà Nẵng", 3), ("thành phố Cần Thơ", 3), ("thành phố Huế", 2),
    ("tỉnh Đồng Nai", 5), ("tỉnh Bắc Ninh", 4), ("tỉnh Hưng Yên", 3), ("tỉnh Quảng Ninh", 2),
    ("tỉnh Thanh Hóa", 3), ("tỉnh Nghệ An", 3), ("tỉnh Hà Tĩnh", 1), ("tỉnh Quảng Trị", 1),
    ("tỉnh Quảng Ngãi", 2), ("tỉnh Gia Lai", 2), ("tỉnh Khánh Hòa", 2), ("tỉnh Lâm Đồng", 2),
    ("tỉnh Đắk Lắk", 2), ("tỉnh Tây Ninh", 3), ("tỉnh Vĩnh Long", 2), ("tỉnh Đồng Tháp", 2),
    ("tỉnh Cà Mau", 1), ("tỉnh An Giang", 2), ("tỉnh Ninh Bình", 2), ("tỉnh Phú Thọ", 2),
    ("tỉnh Thái Nguyên", 2), ("tỉnh Lào Cai", 1), ("tỉnh Tuyên Quang", 1), ("tỉnh Cao Bằng", 1),
    ("tỉnh Lạng Sơn", 1), ("tỉnh Sơn La", 1), ("tỉnh Điện Biên", 1), ("tỉnh Lai Châu", 1),
]  # fmt: skip

# Upper-level unions of every province: (name prefix, kind of grassroots unions, weight).
UPPER_KINDS = [
    ("Công đoàn ngành Giáo dục", "school", 5),
    ("Công đoàn ngành Y tế", "health", 2),
    ("Công đoàn các Khu công nghiệp", "company", 6),
    ("Công đoàn Viên chức", "office", 2),
    ("Công đoàn ngành Công Thương", "company", 2),
    ("Công đoàn ngành Xây dựng", "company", 1),
    ("Công đoàn ngành Nông nghiệp và Môi trường", "farm", 1),
]
AREA_KIND = ("Công đoàn khu vực", "area", 2)  # one per ~2,500 officers of the province

FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 2),
    ("Phan", 4), ("Vũ", 3), ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1),
    ("Ngô", 1), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Mai", 1), ("Đào", 1),
    ("Cao", 1), ("Lương", 1), ("Tạ", 1), ("Hà", 1), ("Lâm", 1), ("Quách", 1), ("Chu", 1),
]  # fmt: skip
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Quốc", "Anh", "Gia"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Phương", "Mỹ", "Bích"]
GIVEN_M = _names(
    "An Bảo Bình Cường Dũng Duy Đạt Hải Hiếu Hoàng Hùng Huy Khánh Khoa Kiên Long Lực Mạnh "
    "Nam Nghĩa Phong Phúc Quân Sơn Tài Thắng Thành Thịnh Toàn Trung Tuấn Tùng Việt Vinh",
    " ",
)
GIVEN_F = _names(
    "Anh Ánh Châu Chi Diệp Dung Giang Hà Hạnh Hằng Hiền Hoa Hương Huyền Lan Liên Linh Loan "
    "Mai My Nga Ngân Nhung Oanh Phượng Quyên Tâm Thảo Thơ Thủy Trang Trinh Tuyết Vân Yến",
    " ",
)

FAMOUS = _names(
    "Nguyễn Du|Lê Quý Đôn|Trần Phú|Nguyễn Trãi|Chu Văn An|Lê Lợi|Quang Trung|Trần Hưng Đạo|"
    "Phan Bội Châu|Phan Chu Trinh|Võ Thị Sáu|Nguyễn Thị Minh Khai|Lê Hồng Phong|Hùng Vương|"
    "Lý Thường Kiệt|Ngô Quyền|Nguyễn Bỉnh Khiêm|Hoàng Hoa Thám|Lương Thế Vinh|Tô Hiến Thành|"
    "Nguyễn Đình Chiểu|Bà Triệu|Hai Bà Trưng|Kim Đồng|Nguyễn Văn Trỗi|Mạc Đĩnh Chi|Lê Văn Tám"
)
PLACES = _names(
    "Hòa Bình|Tân Tiến|Thống Nhất|Đông Hưng|An Phú|Phú Mỹ|Tân Phú|Bình An|Thanh Xuân|Long Hải|"
    "Hưng Đạo|Yên Thế|Kim Sơn|Vĩnh Lộc|Cát Tiên|Đức Phổ|Tam Kỳ|Hải Châu|Tân Lập|Quảng Phú|"
    "Minh Khai|Đồng Tâm|Phước Long|Hòa Khánh|Tiên Du|Nam Sách|Bảo Lộc|Ea Kar|Trà Ôn|Gò Công"
)
COMMUNES = PLACES + FAMOUS  # wards are often named after people: phường Nguyễn Trãi
KINDERGARTEN = _names("Hoa Sen|Hoa Mai|Sơn Ca|Họa Mi|Ánh Dương|Búp Sen Hồng|Tuổi Thơ|Hoa Hồng")
BRANDS = _names(
    "Ánh Phát|Minh Long|Thành Công|Phú Thái|Việt Hưng|Tân Á|Đại Dương|Hoàng Gia|Sao Mai|"
    "Bình Minh|An Khang|Trường Thịnh|Nam Việt|Đông Á|Thiên Long|Phúc Lộc|Hưng Thịnh|Vạn Phát|"
    "Việt Nhật|Hàn Việt|Kim Long|Hải Nam|Tiến Đạt|Quốc Tế"
)
SECTORS = _names(
    "May mặc|Điện tử|Giày da|Thực phẩm|Cơ khí|Nhựa|Bao bì|Dệt may|Chế biến gỗ|Linh kiện|"
    "Vận tải|Thủy sản|Dược phẩm|Xây dựng|Thép|Vật liệu xây dựng"
)
COMPANY_FORMS = ["Công ty TNHH", "Công ty TNHH", "Công ty Cổ phần", "Tổng công ty"]
DEPARTMENTS = _names(
    "Sở Tài chính|Sở Nội vụ|Sở Tư pháp|Sở Xây dựng|Sở Công Thương|Sở Y tế|Sở Giáo dục và Đào tạo|"
    "Sở Nông nghiệp và Môi trường|Sở Khoa học và Công nghệ|Sở Văn hóa, Thể thao và Du lịch|"
    "Văn phòng UBND tỉnh|Thanh tra tỉnh|Đài Phát thanh và Truyền hình|Ban Quản lý dự án"
)

POSITIONS = {
    UnitLevel.PROVINCE: [
        "Phó Chủ tịch",
        "Trưởng ban Tuyên giáo – Nữ công",
        "Chuyên viên Ban Tổ chức – Kiểm tra",
        "Chuyên viên phụ trách thi đua, khen thưởng",
        "Chánh Văn phòng",
    ],
    UnitLevel.UPPER: ["Phó Chủ tịch", "Ủy viên Ban Thường vụ", "Chuyên viên", "Kế toán"],
    UnitLevel.GRASSROOTS: [
        "Chủ tịch CĐCS",
        "Phó Chủ tịch CĐCS",
        "Ủy viên Ban Chấp hành CĐCS",
        "Ủy viên Ban Chấp hành CĐCS",
        "Tổ trưởng công đoàn",
        "Ủy viên Ban Kiểm tra CĐCS",
        "Cán bộ làm công tác TĐKT",
    ],
}
