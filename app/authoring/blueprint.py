"""The authoring blueprint (`/soan-thao`) and its guards, shared by views.py, lesson_views.py
and question_views.py."""

from flask import Blueprint

from app.courses import owners
from app.org.scope import authors_only

bp = Blueprint("authoring", __name__, url_prefix="/soan-thao")


bp.before_request(authors_only)
bp.before_request(owners.owners_only)  # a course's routes: its owners and the province admin
