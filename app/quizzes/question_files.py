"""Images embedded in imported questions (Moodle XML `<file encoding="base64">`).

They are stored in the database with the course's bank (`QuestionFile`, one row per distinct
content), so every worker serves them and a dry run rolls them back with the rest; the
question's text refers to them by the URL of `file_views.serve` instead of Moodle's
`@@PLUGINFILE@@/name`. Only raster images are kept: an SVG can carry scripts.
"""

from __future__ import annotations

import hashlib
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


def file_url(stored: QuestionFile) -> str:
    return f"{URL_PREFIX}/{stored.id}/{quote(stored.name)}"


def _mimetype(name: str) -> str | None:
    dot = name.rfind(".")
    return IMAGE_TYPES.get(name[dot:].lower()) if dot >= 0 else None


def attach_files(session, course_id: int, files: list[ParsedFile], texts: list[str]):
    """Store the question's files (once per content in the course) and return `texts` with
    each `@@PLUGINFILE@@` reference replaced by the file's URL, plus the problems (files
    left out, in Vietnamese). Adds rows to the session; does not commit."""
    problems = []
    for parsed in files:
        mimetype = _mimetype(parsed.name)
        if mimetype is None:
            problems.append(
                f"Tệp đính kèm «{parsed.name}» không phải ảnh PNG/JPEG/GIF/WebP: bỏ qua"
            )
            continue
        if len(parsed.content) > MAX_FILE_BYTES:
            problems.append(f"Tệp đính kèm «{parsed.name}» lớn quá 2 MB: bỏ qua")
            continue
        digest = hashlib.sha256(parsed.content).hexdigest()
        stored = session.scalar(
            select(QuestionFile).where(
                QuestionFile.course_id == course_id, QuestionFile.sha256 == digest
            )
        )
        if stored is None:
            stored = QuestionFile(
                course_id=course_id,
                sha256=digest,
                name=parsed.name[:255],
                mimetype=mimetype,
                content=parsed.content,
            )
            session.add(stored)
            session.flush()
        url = file_url(stored)
        references = {parsed.reference, f"@@PLUGINFILE@@{parsed.path or '/'}{quote(parsed.name)}"}
        for reference in references:
            texts = [text.replace(reference, url) for text in texts]
    return texts, problems
