"""The WSGI entry point for gunicorn: `gunicorn 'app.wsgi:app'`. Refuses to start with the
default SECRET_KEY (app/core/serving.py)."""

from app import create_app

app = create_app(serving=True)
