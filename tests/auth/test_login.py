from tests.conftest import PASSWORD, csrf_token, login


def test_sign_in_page_is_vietnamese(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html and "Đăng nhập" in html and "Mật khẩu" in html


def test_wrong_password_shows_error_next_to_field(client, tree, make_user):
    make_user(tree["A1"], email="a@test.vn")
    response = login(client, "a@test.vn", "sai")
    assert response.status_code == 200
    assert "Thư điện tử/số điện thoại hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/bang-dieu-khien").status_code == 302


def test_empty_form_errors_in_vietnamese(client):
    html = client.post("/", data={}).get_data(as_text=True)
    assert (
        "Vui lòng nhập thư điện tử hoặc số điện thoại." in html
        and "Vui lòng nhập mật khẩu." in html
    )


def test_password_is_hashed_with_argon2(tree, make_user):
    user = make_user(tree["A1"])
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_inactive_officer_cannot_sign_in(client, tree, make_user):
    from app.extensions import db

    user = make_user(tree["A1"], email="off@test.vn")
    user.active = False
    db.session.commit()
    assert login(client, "off@test.vn").status_code == 200


def test_open_redirect_refused(client, tree, make_user):
    make_user(tree["A1"], email="r@test.vn")
    response = client.post(
        "/?next=//evil.example/x", data={"email": "r@test.vn", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/bang-dieu-khien"


def test_csrf_and_rate_limit_enforced(app, tree, make_user):
    """With the production settings on: a POST without token fails, and the 11th try in a
    minute is refused with 429."""
    from app.extensions import limiter

    make_user(tree["A1"], email="c@test.vn")
    app.config.update(WTF_CSRF_ENABLED=True, LOGIN_RATE_LIMIT="10 per minute")
    limiter.reset()
    try:
        client = app.test_client()
        no_token = client.post("/", data={"email": "c@test.vn", "password": PASSWORD})
        assert no_token.status_code == 400
        assert client.get("/bang-dieu-khien").status_code == 302  # not signed in
        statuses = []
        for _ in range(11):
            token = csrf_token(client.get("/").get_data(as_text=True))
            statuses.append(
                client.post(
                    "/", data={"email": "c@test.vn", "password": "x", "csrf_token": token}
                ).status_code
            )
        # 10 sign-in tries a minute, then 429 (the token-less POST was refused before counting).
        assert statuses == [200] * 10 + [429]
        refused = client.post("/", data={"csrf_token": token, "email": "c@test.vn"})
        assert refused.status_code == 429 and "quá nhiều lần" in refused.get_data(as_text=True)
    finally:
        app.config.update(WTF_CSRF_ENABLED=False, LOGIN_RATE_LIMIT="100000 per minute")
        limiter.reset()


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
