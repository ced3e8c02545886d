"""The XSS corpus through the text fields people type, checked on every page that shows them:
the payloads may appear as text, never as markup a browser would run.

Lessons, course texts and the authoring preview have their own corpus tests
(tests/courses/test_xss.py, test_authoring_xss.py); this file covers the officer, unit,
class, roster import, question bank, quiz answer and search fields.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.org.models import User
from app.org.services import create_unit
from tests.org.roster_files import officer_rows, preview_token, to_csv
from tests.org.roster_files import upload as roster_upload

# Each payload carries its number, so a page can be asked whether it shows it (as text).
CORPUS = [
    "<script>alert('xss1')</script>",
    '"><img src=x onerror=alert("xss2")>',
    "'><svg onload=alert('xss3')>",
    '<a href="javascript:alert(4)">xss4</a>',
    "javascript:alert('xss5')",
    '<iframe src="javascript:alert(6)"></iframe>xss6',
    "<details open ontoggle=alert('xss7')>",
    "</textarea><script>alert('xss8')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss9')>",
    "<body onload=alert('xss10')>",
    "{{ 7*7 }}xss11",
    '<object data="data:text/html,<script>alert(12)</script>">xss12',
    "[xss13](javascript:alert(13))",
    '<base href="//evil.example/">xss14',
    '" onmouseover="alert(15)" x="xss15',
    "<scr<script>ipt>alert('xss16')</script>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class _LiveMarkup(HTMLParser):
    """What a browser would run: event handlers, scripts that are not our static files,
    framing/plugin tags, javascript:/vbscript:/data:text/html URLs, script in styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self._script = True
            if not (values.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script src={values.get('src')!r}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        for name, value in attrs:
            plain = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and plain.startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.problems.append(f"<{tag} {name}={value}>")
            if name == "style" and ("expression(" in plain or "javascript:" in plain):
                self.problems.append(f"<{tag} style={value}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def assert_inert(page: str, where: str) -> None:
    parser = _LiveMarkup()
    parser.feed(page)
    parser.close()
    assert parser.problems == [], f"{where}: {parser.problems}"
    assert "49xss11" not in page, f"{where}: template expression evaluated"
    # What the parser cannot see (markup inside <style>, broken tags a browser repairs): a
    # payload with markup characters must never appear verbatim, only escaped.
    for payload in CORPUS:
        if "<" in payload or '"' in payload:
            assert payload not in page, f"{where}: unescaped {payload!r}"


def _fetch(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    page = response.get_data(as_text=True)
    assert_inert(page, path)
    return page


def test_the_checker_sees_live_markup():
    """The checker must flag each payload when it is NOT escaped, or the tests prove nothing."""
    for number, payload in enumerate(CORPUS, start=1):
        if number in (5, 11, 13):  # inert as raw text: only dangerous inside markup
            continue
        with pytest.raises(AssertionError):
            assert_inert(f"<p>{payload}</p>", f"payload {number}")
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(5)">x</a>', "href")
    with pytest.raises(AssertionError):
        assert_inert('<input value="" onmouseover="alert(15)" x="">', "attribute breakout")
    assert_inert('<script src="/static/js/app.js"></script><p>&lt;script&gt;</p>', "ours")


@pytest.fixture
def officers(world, role_client):
    """One officer per payload in A1, then the manager types the payload into the edit form
    (full name and position) and deactivates half of them with the payload as the reason."""
    from app.org.services import create_officer

    manager = role_client("manager")
    a1 = world["users"]["learner"].unit
    ids = []
    for number, payload in enumerate(CORPUS, start=1):
        officer = create_officer(f"Cán bộ {number}", a1, email=f"x{number}@test.vn")
        db.session.commit()
        ids.append(officer.id)
        response = manager.post(
            f"/don-vi/can-bo/{officer.id}",
            data={
                "full_name": f"{payload} Số {number}",
                "officer_code": f"XSS{number}",
                "birth_date": "",
                "unit_id": a1.id,
                "position": payload,
                "officer_type": officer.officer_type,
                "email": f"x{number}@test.vn",
                "phone": "",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        if number % 2:
            manager.post(f"/don-vi/can-bo/{officer.id}/nghi", data={"reason": payload})
    stored = db.session.scalars(db.select(User.full_name).where(User.id.in_(ids))).all()
    assert any("<script>" in name for name in stored)  # kept as typed, escaped on output
    return ids


def test_officer_fields(world, role_client, officers):
    manager, admin = role_client("manager"), role_client("admin")
    trainer = role_client("trainer")
    unit = world["ids"]["unit"]
    for client in (manager, admin):
        page = _fetch(client, "/don-vi/can-bo")
        assert "&lt;script&gt;alert(&#39;xss1&#39;)" in page
        _fetch(client, f"/bao-cao/bao-phu/{unit}/can-bo")
    for officer_id in officers:
        _fetch(manager, f"/don-vi/can-bo/{officer_id}")  # name, position, history, reason
    _fetch(trainer, f"/lop-tap-huan/{world['ids']['klass']}?q=xss")  # search results
    trainer.post(f"/lop-tap-huan/{world['ids']['klass']}/them", data={"user_ids": officers[1::2]})
    _fetch(trainer, f"/lop-tap-huan/{world['ids']['klass']}")  # attendees


def test_officer_sees_own_name(app, world, officers):
    from tests.conftest import login

    officer = db.session.get(User, officers[1])  # still active (even numbers stay)
    client = app.test_client()
    officer.password_hash = db.session.get(User, world["users"]["learner"].id).password_hash
    db.session.commit()
    login(client, officer.email)
    _fetch(client, "/bang-dieu-khien")
    _fetch(client, f"/khoa-hoc/{world['ids']['slug']}")


def test_unit_names(world, role_client):
    a = db.session.get(type(world["users"]["learner"].unit), world["ids"]["unit"])
    for number, payload in enumerate(CORPUS, start=1):
        create_unit(payload, f"U{number}", a)
    db.session.commit()
    manager = role_client("manager")
    unit = world["ids"]["unit"]
    for path in (
        "/bao-cao/bao-phu",
        f"/bao-cao/bao-phu/{unit}",
        "/bao-cao/dinh-ky",
        f"/bao-cao/dinh-ky/{unit}",
        "/don-vi/can-bo",
        "/don-vi/can-bo/nhap",
        f"/don-vi/can-bo/{world['ids']['officer']}",  # the unit choices
    ):
        _fetch(manager, path)


def test_class_fields(world, role_client):
    trainer = role_client("trainer")
    for payload in CORPUS:
        response = trainer.post(
            "/lop-tap-huan/moi",
            data={
                "course_id": db.session.scalar(db.text("SELECT min(id) FROM courses")),
                "held_on": "01/03/2025",
                "place": payload,
                "trainer_name": payload,
                "notes": payload,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        _fetch(trainer, response.headers["Location"])
    _fetch(trainer, "/lop-tap-huan")


def test_search_and_filter_echoes(world, role_client):
    from urllib.parse import quote

    slug = world["ids"]["slug"]
    for payload in CORPUS:
        q = quote(payload)
        _fetch(role_client("manager"), f"/don-vi/can-bo?q={q}")
        trainer = role_client("trainer")
        _fetch(trainer, f"/ngan-hang/{slug}?q={q}&danh_muc={q}&the={q}")
        _fetch(trainer, f"/lop-tap-huan/{world['ids']['klass']}?q={q}")
        _fetch(trainer, f"/soan-thao/khoa-hoc/{slug}/phien-ban?tu={q}&den={q}")


def test_sign_in_form_echo(app, world):
    client = app.test_client()
    for payload in CORPUS:
        response = client.post("/", data={"email": payload, "password": "x"})
        assert_inert(response.get_data(as_text=True), "sign-in")


def test_roster_import_preview(world, role_client):
    rows = officer_rows(len(CORPUS), ["A1"])
    for row, payload in zip(rows, CORPUS, strict=True):
        row["full_name"] = payload
        row["position"] = payload
        row["unit_name"] = payload
    manager = role_client("manager")
    token = preview_token(roster_upload(manager, to_csv(rows), "ds.csv"))
    _fetch(manager, f"/don-vi/can-bo/nhap/{token}")


def _gift_with(payloads) -> str:
    blocks = []
    for number, payload in enumerate(payloads, start=1):
        safe = re.sub(r"([~=#{}:\\])", r"\\\1", payload)
        blocks.append(
            f"$CATEGORY: $course$/top/{safe}\n\n"
            f"// [tag:{safe}]\n// [ref: kh-nq07 Mục II.5]\n::x{number}::{safe} [xss{number}] {{\n"
            f"={safe} đúng#{safe}\n~sai {number}#{safe}\n####{safe}\n}}\n"
        )
    return "\n".join(blocks)


def test_question_bank_fields(app, world, role_client, monkeypatch):
    """Imported questions show their title, text, answers, feedback, category and tags on the
    import preview, the drafts waiting for publication, then (published) the bank page, the
    authoring pages and the statistics."""
    monkeypatch.setitem(app.config, "BANK_SYNC_MAX_BYTES", 10**8)
    slug = world["ids"]["slug"]
    trainer = role_client("trainer")
    response = trainer.post(
        f"/ngan-hang/{slug}/nhap",
        data={"file": (io.BytesIO(_gift_with(CORPUS).encode()), "xss.gift"), "fmt": "gift"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = _fetch(trainer, response.headers["Location"])
    assert "xss1" in preview
    confirmed = trainer.post(response.headers["Location"], data={})
    assert confirmed.status_code == 302
    # an import makes drafts: listed (inert) on the publish page, in the bank once published
    _fetch(trainer, f"/soan-thao/khoa-hoc/{slug}/xuat-ban")
    published = trainer.post(f"/soan-thao/khoa-hoc/{slug}/xuat-ban", data={"kind": "minor"})
    assert published.status_code == 302, published.get_data(as_text=True)[-3000:]
    page = _fetch(trainer, f"/ngan-hang/{slug}")
    assert "&lt;script&gt;" in page
    _fetch(trainer, f"/soan-thao/khoa-hoc/{slug}")
    _fetch(trainer, f"/khoa-hoc/{slug}/thong-ke")
    keys = db.session.scalars(db.text("SELECT key FROM questions WHERE title LIKE 'x%'")).all()
    assert len(keys) == len(CORPUS)
    for key in keys:
        _fetch(trainer, f"/soan-thao/khoa-hoc/{slug}/cau-hoi/{key}")


def test_quiz_answers_typed_by_the_learner(world, role_client):
    """Every text box of the quiz is filled with the payload; the review page and the
    grading list show the answers."""
    learner = role_client("learner")
    slug = world["ids"]["slug"]
    started = learner.post(f"/khoa-hoc/{slug}/kiem-tra")
    attempt = started.headers["Location"]
    page = learner.get(attempt).get_data(as_text=True)
    names = set(re.findall(r'<(?:input|textarea)[^>]*name="([^"]+)"[^>]*>', page)) - {"csrf_token"}
    assert names, "the quiz has no field to type into"
    answers = {name: CORPUS[i % len(CORPUS)] for i, name in enumerate(sorted(names))}
    submitted = learner.post(attempt, data=answers)
    assert submitted.status_code == 302
    _fetch(learner, submitted.headers["Location"])
    _fetch(role_client("trainer"), "/cham-bai")
