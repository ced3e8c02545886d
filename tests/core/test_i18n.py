"""UI text goes through Flask-Babel, so that `make messages` extracts it for a translation."""

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from app.quizzes.types import REGISTRY
from tests.conftest import ROOT

ERROR_MESSAGES = [
    "Yêu cầu không hợp lệ.",
    "Bạn cần đăng nhập.",
    "Bạn không có quyền truy cập trang này.",
    "Không tìm thấy trang.",
    "Bạn đã thử quá nhiều lần. Vui lòng chờ một lát rồi thử lại.",
    "Đã xảy ra lỗi. Vui lòng thử lại sau.",
]


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """What `make messages` extracts from the Python code (babel.cfg, keywords plus `_l`)."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "app", method_map=[("**.py", "python")], keywords=keywords
        )
    }


def test_error_messages_are_extracted_for_translation(extracted):
    assert set(ERROR_MESSAGES) <= extracted


def test_question_type_labels_are_extracted_for_translation(app, extracted):
    labels = {str(kind.label) for kind in REGISTRY.values()}
    assert "Trắc nghiệm một lựa chọn" in labels
    assert labels <= extracted


def test_error_pages_speak_vietnamese(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy trang." in page
    assert '<html lang="vi">' in page
