"""The app with two empty routes, for S1's decomposition only (never part of the product).

S1 compares the lesson page with a bare Flask page. These two routes tell how much of the gap
is the stack before the lesson page does anything of its own: the same app, middleware and
session, returning "ok" to an anonymous request, and to a signed-in one (Flask-Login loading
the officer through the ORM, the one statement every signed-in page runs).

    gunicorn -w 2 -b 127.0.0.1:PORT 'probe_app:app'   (with bench/ and the project on the path)
"""

from flask_login import login_required

from app import create_app

app = create_app(serving=True)


@app.get("/bench/an-danh")
def anonymous():
    return "ok"


@app.get("/bench/da-dang-nhap")
@login_required
def signed_in():
    return "ok"
