"""Acceptance 5: script, event handlers and javascript: links are inert in lessons and names."""

import shutil

from app.core.markdown import render_markdown
from tests.conftest import ROOT, login

PAYLOADS = """
<script>alert('x')</script>
<img src="x" onerror="alert(1)">
[bấm vào đây](javascript:alert(1))
<a href="javascript:alert(2)">liên kết</a>
<iframe src="https://evil.example"></iframe>
<div onclick="alert(3)" style="color:red">div</div>
"""


def assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered
    assert "style=" not in lowered


def test_markdown_renderer_neutralises_payloads():
    assert_inert(render_markdown(PAYLOADS))


def test_lesson_page_and_officer_name_are_inert(client, tmp_path, tree, make_user, app):
    from app.authoring.loader import load_courses

    shutil.copytree(ROOT / "tests" / "fixtures" / "courses", tmp_path / "c")
    lesson = tmp_path / "c" / "khoa-thu" / "lessons" / "01-mo-dau.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + PAYLOADS, encoding="utf-8")
    assert load_courses(tmp_path / "c").errors == []
    make_user(
        tree["A1"],
        email="x@test.vn",
        name="<script>alert('ten')</script><img src=x onerror=alert(1)>",
    )
    login(client, "x@test.vn")
    page = client.get("/khoa-hoc/khoa-thu/bai/1").get_data(as_text=True)
    body = page.split('<div class="lesson-body">')[1].split("</div>\n")[0]
    assert_inert(body)
    dashboard = client.get("/bang-dieu-khien").get_data(as_text=True)
    assert "<script>alert('ten')" not in dashboard
    assert "&lt;script&gt;" in dashboard
