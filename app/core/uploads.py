"""Reading an uploaded file from a form field with a size limit and a Vietnamese error."""

from flask_babel import gettext as _


def read_upload(field, max_bytes: int) -> bytes | None:
    """The file's bytes, or None with the reason added to the field's errors (shown next to
    it). Reads at most `max_bytes + 1` bytes: an oversized upload is never held whole."""
    data = field.data.read(max_bytes + 1)
    if len(data) > max_bytes:
        field.errors.append(_("Tệp lớn hơn %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
        return None
    if not data.strip():
        field.errors.append(_("Tệp trống."))
        return None
    return data
