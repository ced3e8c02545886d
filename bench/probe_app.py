"""The app with two empty routes, for S1's decomposition only (never part of the product).

S1 compares the lesson page with a bare Flask page. These routes tell how much of the gap is
the stack before the lesson page does anything of its own: the same app, middleware and
session, returning "ok" to an anonymous request, and to a signed-in one (Flask-Login loading
the officer through the ORM, the one statement every signed-in page runs). The third is the
ceiling of signing in without the ORM session: the officer's id from the session cookie,
checked active with one Core statement (it skips Flask-Login's session protection, so it is
an estimate of what that lever could buy, not a way to sign in).

    gunicorn -w 2 -b 127.0.0.1:PORT 'probe_app:app'   (with bench/ and the project on the path)
"""

from flask import abort, session
from flask_login import login_required
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.org.models import User

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
            select(users.c.active).where(users.c.id == int(user_id))
        ).scalar()
    if not active:
        abort(401)
    return "ok"
