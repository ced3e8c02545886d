"""Images embedded in imported questions (Moodle XML `<file encoding="base64">`).

They are stored in the database with the course's bank (`QuestionFile`, one row per distinct
content), so every worker serves them and a dry run rolls them back with the rest; the
question's text refers to them by the URL of `file_views.serve` instead of Moodle's
`@@PLUGINFILE@@/name`. Only raster images are kept: an SVG can carry scripts.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from sqlalchemy import select

from app.quizzes.formats.base import ParsedFile
from app.quizzes.models import QuestionFile

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_FILE_BYTES = 2_000_000
URL_PREFIX = "/tep-cau-hoi"
# Stands for a file an import is about to store (see `planned_texts`); never served.
NEW_FILE_URL = f"{URL_PREFIX}/moi"


def file_url(stored: QuestionFile) -> str:
    return _url(stored.id, stored.name)


def _url(file_id: int, name: str) -> str:
    return f"{URL_PREFIX}/{file_id}/{quote(name)}"


def _mimetype(name: str) -> str | None:
    dot = name.rfind(".")
    return IMAGE_TYPES.get(name[dot:].lower()) if dot >= 0 else None


def file_problem(parsed: ParsedFile) -> str | None:
    """Why the file is left out of the bank (in Vietnamese), or None when it is kept."""
    if _mimetype(parsed.name) is None:
        return f"Tệp đính kèm «{parsed.name}» không phải ảnh PNG/JPEG/GIF/WebP: bỏ qua"
    if len(parsed.content) > MAX_FILE_BYTES:
        return f"Tệp đính kèm «{parsed.name}» lớn quá 2 MB: bỏ qua"
    return None


def _pointed_at(files: list[ParsedFile], texts: list[str], url_of) -> tuple[list[str], list[str]]:
    """`texts` with each kept file's `@@PLUGINFILE@@` references replaced by
    `url_of(file, content digest)`, and the problems of the files left out."""
    problems = []
    for parsed in files:
        problem = file_problem(parsed)
        if problem is not None:
            problems.append(problem)
            continue
        url = url_of(parsed, hashlib.sha256(parsed.content).hexdigest())
        references = {parsed.reference, f"@@PLUGINFILE@@{parsed.path or '/'}{quote(parsed.name)}"}
        for reference in references:
            texts = [text.replace(reference, url) for text in texts]
    return texts, problems


def stored_file_urls(session, course_id: int) -> dict[str, str]:
    """{sha256: URL} of the files the course's bank already has (their contents not loaded)."""
    rows = session.execute(
        select(QuestionFile.id, QuestionFile.sha256, QuestionFile.name).where(
            QuestionFile.course_id == course_id
        )
    )
    return {sha: _url(file_id, name) for file_id, sha, name in rows}


def planned_texts(stored: dict[str, str], files: list[ParsedFile], texts: list[str]):
    """What `attach_files` will make of `texts`, without writing (an import's check): a file
    the bank has is referred to by its URL; one it has not yet, by `NEW_FILE_URL` with the
    content's digest, which no stored text contains — so a question with a new image is never
    taken for unchanged. Returns (texts, problems) as `attach_files` does."""
    return _pointed_at(
        files, texts, lambda parsed, digest: stored.get(digest) or _new_url(digest, parsed.name)
    )


def _new_url(digest: str, name: str) -> str:
    return f"{NEW_FILE_URL}/{digest}/{quote(name)}"


_NEW_FILE = re.compile(re.escape(NEW_FILE_URL) + r"/([0-9a-f]{64})/[^\s\"'<>()]*")


def with_stored_urls(text: str, stored: dict[str, str]) -> str:
    """`text` with each planned URL of a new image (see `planned_texts`) replaced by the URL of
    the file now stored: the result page of an import shows the images."""
    return _NEW_FILE.sub(lambda found: stored.get(found.group(1), found.group(0)), text)


def attach_files(session, course_id: int, files: list[ParsedFile], texts: list[str]):
    """Store the question's files (once per content in the course) and return `texts` with
    each `@@PLUGINFILE@@` reference replaced by the file's URL, plus the problems (files
    left out, in Vietnamese). Adds rows to the session; does not commit. Idempotent: a file
    stored by an earlier run (or chunk) is found by its content and not stored again."""

    def stored_url(parsed: ParsedFile, digest: str) -> str:
        # id and name only: the stored content (up to 2 MB an image) is not needed for a URL
        found = session.execute(
            select(QuestionFile.id, QuestionFile.name).where(
                QuestionFile.course_id == course_id, QuestionFile.sha256 == digest
            )
        ).first()
        if found is not None:
            return _url(found.id, found.name)
        stored = QuestionFile(
            course_id=course_id,
            sha256=digest,
            name=parsed.name[:255],
            mimetype=_mimetype(parsed.name),
            content=parsed.content,
        )
        session.add(stored)
        session.flush()
        return file_url(stored)

    return _pointed_at(files, texts, stored_url)
