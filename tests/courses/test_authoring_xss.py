"""Stored XSS through the authoring forms is inert: in the preview, on the learner's lesson
and quiz pages, in the authoring pages and in the version diff."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.org.models import Role
from tests.conftest import login, own_every_course
from tests.courses.test_xss import PAYLOADS, assert_inert

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


class _Markup(HTMLParser):
    """Collects what a browser would treat as live markup."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.problems.append("iframe")
        if tag == "script":
            self._in_script = not dict(attrs).get("src")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in {"href", "src"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")
            if name == "style":
                self.problems.append(f"{tag} style")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]}")


def assert_no_live_payload(page: str) -> None:
    """A whole page may show the payload as text (escaped) but never as markup: no event
    handler attribute, no inline script, no iframe, no javascript: link, no style."""
    parser = _Markup()
    parser.feed(page)
    assert parser.problems == []


@pytest.fixture
def authored(client, course, tree, make_user):
    """A trainer stores payloads in a lesson, a question and the legal register (references
    themselves must be well-formed, so the payload goes in the cited document's title), then
    publishes."""
    trainer = make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn")
    own_every_course(trainer)
    login(client, trainer.email)
    register = {
        "number": f"07 {IMG}",
        "title": f"Kế hoạch {SCRIPT}",
        "issued": "2020-03-01",
        "last_checked": "2026-02-24",
        "status": "SEEN-ONCE",
    }
    assert client.post("/soan-thao/van-ban/kh-nq07", data=register).status_code == 302
    listing = client.get("/soan-thao/van-ban/").get_data(as_text=True)
    assert "Kế hoạch &lt;script&gt;" in listing
    assert_no_live_payload(listing)
    lesson = {
        "title": f"Mở đầu {SCRIPT}",
        "articles": "kh-nq07 Mục I",
        "body_md": "Bài **mở đầu**.\n" + PAYLOADS,
        "save": "1",
    }
    assert client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data=lesson).status_code == 302
    question = {
        "key": "t-xss",
        "qtype": "single",
        "text": f"Câu hỏi {SCRIPT} {IMG}",
        "options-0-text": f"đúng {SCRIPT}",
        "options-0-weight": "100",
        "options-0-feedback": IMG,
        "options-1-text": f"sai {IMG}",
        "options-1-weight": "0",
        "explanation": f"Giải thích {SCRIPT} [x](javascript:alert(1))",
        "reference": "kh-nq07 Mục II",
        "active": "1",
    }
    response = client.post("/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi", data=question)
    assert response.status_code == 302
    drafts = client.get("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau").get_data(as_text=True)
    assert_no_live_payload(drafts)
    preview = drafts.split('data-preview aria-live="polite">')[1].split("</section>")[0]
    assert_inert(preview)
    assert_no_live_payload(client.get("/soan-thao/khoa-hoc/khoa-thu").get_data(as_text=True))
    assert_no_live_payload(
        client.get("/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-xss").get_data(as_text=True)
    )
    response = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert response.status_code == 302
    return trainer


def test_preview_endpoint_is_inert(client, course, tree, make_user):
    trainer = make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn")
    login(client, trainer.email)
    html = client.post("/soan-thao/xem-truoc", data={"text": PAYLOADS}).get_data(as_text=True)
    assert_inert(html)
    assert "<p>" in html  # it is rendered, not just escaped


def test_learner_lesson_and_quiz_pages_are_inert(client, authored, tree, make_user):
    learner = make_user(tree["A1"], email="hv@test.vn")
    client.post("/dang-xuat")
    login(client, learner.email)
    page = client.get("/khoa-hoc/khoa-thu/bai/1").get_data(as_text=True)
    assert "Bài <strong>mở đầu</strong>." in page  # the published new version
    assert_no_live_payload(page)
    assert_inert(page.split('<div class="lesson-body">')[1].split("</div>\n")[0])
    assert "Mở đầu &lt;script&gt;" in page
    footer = page.split('class="articles"')[1].split("</div>")[0]
    assert "<li>Kế hoạch &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 07 &lt;img" in footer
    assert "&gt;, Mục I" in footer

    response = client.post("/khoa-hoc/khoa-thu/kiem-tra", data={})
    assert response.status_code == 302
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert "Câu hỏi &lt;script&gt;" in page
    assert_no_live_payload(page)
    attempt_id = re.search(r"/bai-lam/(\d+)", attempt_url).group(1)
    client.post(f"/bai-lam/{attempt_id}", data={})
    review = client.get(f"/bai-lam/{attempt_id}/ket-qua").get_data(as_text=True)
    assert "Giải thích &lt;script&gt;" in review
    assert "<li>Kế hoạch &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 07 &lt;img" in review
    assert "&gt;, Mục II" in review
    assert_no_live_payload(review)


def test_version_diff_is_inert(client, authored):
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/phien-ban?tu=1.0&den=1.1")
    html = page.get_data(as_text=True)
    assert "Khác biệt từ 1.0 đến 1.1" in html
    assert "&lt;script&gt;alert(" in html
    assert_no_live_payload(html)
