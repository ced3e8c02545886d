"""The app with two empty routes, for S1's decomposition only (never part of the product).

S1 compares the lesson page with a bare Flask page. These routes tell how much of the gap is
the stack before the lesson page does anything of its own: the same app, middleware and
session, returning "ok" to an anonymous request, and to a signed-in one (Flask-Login loading
the officer through the ORM, the one statement every signed-in page runs). The third is the
ceiling of signing in without the ORM session: the officer's id from the session cookie,
checked active with one Core statement (it skips Flask-Login's session protection, so it is
an estimate of what that lever could buy, not a way to sign in).

The fourth measures the two levers S1 would need together, so that the decision rests on a
figure rather than an estimate: the lesson page rendered once per (course stamp, lesson, role,
done) and served from that copy with the request's CSRF token put back, the officer checked
with one Core statement. It serves what the real page serves, but skips Flask-Login's session
checks and gives templates nothing about the user: a probe, not a way to serve.

    gunicorn -w 2 -b 127.0.0.1:PORT 'probe_app:app'   (with bench/ and the project on the path)
"""

from flask import abort, g, session
from flask_login import login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.learning import lesson_cache
from app.org.models import RoleGrant, User

app = create_app(serving=True)


@app.get("/bench/an-danh")
def anonymous():
    return "ok"


@app.get("/bench/da-dang-nhap")
@login_required
def signed_in():
    return "ok"


@app.get("/bench/mot-cau-lenh")
def signed_in_core():
    user_id = session.get("_user_id")
    if user_id is None:
        abort(401)
    users = User.__table__
    with db.engine.connect() as connection:
        active = connection.execute(
            select(users.c.active).where(users.c.id == int(user_id.split(":")[0]))
        ).scalar()
    if not active:
        abort(401)
    return "ok"


_PAGES: dict[tuple, str] = {}
_TOKEN_HOLE = "\x00csrf\x00"


@app.get("/bench/trang-luu/<slug>/<int:position>")
def lesson_from_copy(slug: str, position: int):
    session_id = session.get("_user_id")
    if session_id is None:
        abort(401)
    user_id = int(session_id.split(":")[0])  # "id:session version"
    users = User.__table__
    copy = lesson_cache._copies().get(slug)
    lesson = copy.lesson_at(position) if copy else None
    with db.engine.connect() as connection:
        officer = connection.execute(
            select(users.c.active).where(users.c.id == int(user_id))
        ).first()
        grants = RoleGrant.__table__
        roles = tuple(
            sorted(
                connection.execute(
                    select(grants.c.role).where(
                        grants.c.user_id == int(user_id), grants.c.revoked_at.is_(None)
                    )
                ).scalars()
            )
        )
        if officer is None or not officer.active:
            abort(401)
        stamp = done = None
        if lesson is not None:
            stamp, done = connection.execute(
                lesson_cache._STAMP_AND_DONE,
                {"course_id": copy.id, "lesson_id": lesson.id, "user_id": int(user_id)},
            ).first() or (None, None)
    current = lesson is not None and stamp is not None and stamp == copy.updated_at
    key = (slug, position, stamp, roles, done is not None)
    page = _PAGES.get(key) if current else None
    if page is None:  # the real view renders it, Flask-Login and all
        from app.learning.views import lesson as lesson_view

        page = lesson_view.__wrapped__(slug, position).replace(g.csrf_token, _TOKEN_HOLE)
        if current:  # kept only under a key read before rendering (stamp and done state)
            _PAGES[key] = page
    return page.replace(_TOKEN_HOLE, generate_csrf())
