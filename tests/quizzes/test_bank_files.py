"""Moodle XML extras: embedded images are stored and served with the question (not left as
@@PLUGINFILE@@), category descriptions and idnumbers are kept and exported back."""

from __future__ import annotations

import base64
import re

from sqlalchemy import func, select

from app.courses.models import Course
from app.extensions import db
from app.org.models import Role
from app.quizzes.bank import export_bank, import_questions, parse_upload
from app.quizzes.models import Question, QuestionCategory, QuestionFile
from tests.conftest import login, own_every_course
from tests.quizzes.bank_helpers import publish_imports

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Hồ sơ</text></category>
    <info format="html"><text>Câu hỏi về &lt;b&gt;hồ sơ&lt;/b&gt; khen thưởng</text></info>
    <idnumber>HS-01</idnumber>
  </question>
  <question type="truefalse">
    <name><text>Ảnh</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Đây là mẫu bìa hồ sơ?
        <img src="@@PLUGINFILE@@/bia%20ho%20so.png" alt="bìa"></p>]]></text>
      <file name="bia ho so.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>
      <file name="x.svg" path="/" encoding="base64">{base64.b64encode(b"<svg/>").decode()}</file>
    </questiontext>
    <generalfeedback format="html"><text>Đúng.</text></generalfeedback>
    <tdkt_reference>kh-nq07; Mục II</tdkt_reference>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>
"""


def _import(course, dry_run=False):
    return import_questions(
        course, parse_upload(XML.encode(), "anh.xml"), filename="anh.xml", dry_run=dry_run
    )


def test_embedded_images_are_stored_and_served_with_the_question(
    app, client, course, tree, make_user
):
    trainer = make_user(tree["province"], Role.TRAINER)
    make_user(tree["A1"], email="hv@test.vn")
    preview = _import(course, dry_run=True)
    assert db.session.scalar(select(func.count()).select_from(QuestionFile)) == 0
    assert any("x.svg" in w.message for w in preview.warnings)

    summary = _import(course)
    assert summary.created == 1
    publish_imports(course, trainer)
    question = db.session.scalar(select(Question).where(Question.title == "Ảnh"))
    assert "@@PLUGINFILE@@" not in question.text
    url = re.search(r'src="(/tep-cau-hoi/\d+/[^"]+)"', question.text).group(1)
    assert db.session.scalar(select(func.count()).select_from(QuestionFile)) == 1  # no SVG

    assert client.get(url).status_code in (302, 401)  # signed-in users only
    login(client, "hv@test.vn")
    image = client.get(url)
    assert image.status_code == 200 and image.data == PNG
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url.replace("bia", "khac")).status_code == 404
    started = client.post("/khoa-hoc/khoa-thu/kiem-tra")
    page = client.get(started.location).get_data(as_text=True)
    assert f'src="{url}"' in page  # drawn with its image, through the sanitiser
    again = _import(course)  # the same file: the same image, nothing changes
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(QuestionFile)) == 1


def test_images_of_an_unpublished_course_are_for_its_owners_only(app, client, tree, make_user):
    course = Course(slug="moi", title="Khóa mới", published=False)
    db.session.add(course)
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    own_every_course(make_user(tree["province"], Role.TRAINER, email="gv@test.vn"))
    make_user(tree["province"], Role.TRAINER, email="gv2@test.vn")  # owns no course
    _import(course)
    stored = db.session.scalars(select(QuestionFile)).one()
    url = f"/tep-cau-hoi/{stored.id}/bia ho so.png"
    for email, status in (("hv@test.vn", 404), ("gv2@test.vn", 404), ("gv@test.vn", 200)):
        login(client, email)
        assert client.get(url).status_code == status, email
        client.post("/dang-xuat")


def test_category_description_and_idnumber_are_kept_and_exported(app, course, tree, make_user):
    trainer = make_user(tree["province"], Role.TRAINER)
    _import(course)
    category = db.session.scalars(select(QuestionCategory)).one()
    assert (category.path, category.idnumber) == ("Hồ sơ", "HS-01")
    assert category.description == "Câu hỏi về <b>hồ sơ</b> khen thưởng"
    publish_imports(course, trainer)
    xml = export_bank(course, "xml")[0].decode()
    assert "<idnumber>HS-01</idnumber>" in xml
    assert "Câu hỏi về <b>hồ sơ</b> khen thưởng" in xml
    other = Course(slug="ban-sao", title="Bản sao")
    db.session.add(other)
    db.session.commit()
    import_questions(other, parse_upload(xml.encode(), "ban-sao.xml"))
    copied = db.session.scalars(
        select(QuestionCategory).where(QuestionCategory.course_id == other.id)
    ).one()
    assert (copied.path, copied.idnumber, copied.description) == (
        category.path,
        category.idnumber,
        category.description,
    )
