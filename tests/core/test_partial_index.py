"""`partial_index_where`: the models name no dialect's keyword (that would load the dialect in
every worker, bench S7), yet `db.create_all()` makes the index partial on either database."""

import re

from sqlalchemy import text

from app.certificates.models import Certificate
from app.extensions import db


def _index_sql(name: str) -> str:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    else:
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    return db.session.scalar(text(query), {"name": name})


def test_the_valid_certificate_index_is_partial_and_unique(app):
    sql = _index_sql("uq_certificates_record_id_valid")
    assert "UNIQUE" in sql.upper() and "(record_id)" in sql
    # the condition itself (the index's name also contains "valid")
    assert re.search(r"WHERE\s*\(*\s*status\)?(?:::\w+)?\s*=\s*'valid'", sql, re.IGNORECASE), sql


def test_the_model_itself_names_no_dialect_keyword(app):
    index = next(i for i in Certificate.__table__.indexes if i.name.endswith("_valid"))
    assert index.unique
    assert set(index.dialect_kwargs) <= {f"{db.engine.dialect.name}_where"}
