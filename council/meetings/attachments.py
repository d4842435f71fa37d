"""Files on a meeting or an agenda item: checked by content, stored under instance/ with
random names, downloaded only by people who may see the meeting."""
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from council.audit import recorder
from council.core.text import utcnow
from council.extensions import db
from council.meetings.models import AgendaItem, Attachment, Meeting

# What councils attach: documents, spreadsheets, presentations and pictures. The type is read
# from the file's content; the name's extension must belong to the same kind.
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {"pptx"}),
    "odt": ("application/vnd.oasis.opendocument.text", {"odt"}),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", {"ods"}),
    "odp": ("application/vnd.oasis.opendocument.presentation", {"odp"}),
    "doc": ("application/msword", {"doc"}),
    "xls": ("application/vnd.ms-excel", {"xls"}),
    "ppt": ("application/vnd.ms-powerpoint", {"ppt"}),
    "rtf": ("application/rtf", {"rtf"}),
    "png": ("image/png", {"png"}),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}),
    "gif": ("image/gif", {"gif"}),
    "webp": ("image/webp", {"webp"}),
}
ACCEPT = ",".join(sorted("." + ext for _kind, (_mime, exts) in ALLOWED.items() for ext in exts))


class RejectedFile(Exception):
    """The upload is not a kind of file the council keeps (the message says which kinds are)."""


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes


def check_upload(upload: FileStorage) -> CheckedFile:
    content = upload.read()
    if not content:
        raise RejectedFile("empty")
    kind = filetype.guess(content[:8192]) if len(content) >= 4 else None
    extension = Path(upload.filename or "").suffix.lower().lstrip(".")
    if kind is None or kind.extension not in ALLOWED:
        raise RejectedFile("type")
    content_type, extensions = ALLOWED[kind.extension]
    if extension not in extensions:
        raise RejectedFile("extension")
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:200]
    return CheckedFile(name or secure_filename(f"attachment.{extension}"), content_type, content)


def store(meeting: Meeting, item: AgendaItem | None, checked: CheckedFile, uploaded_by) -> Attachment:
    stored_name = secrets.token_hex(16)
    (upload_folder() / stored_name).write_bytes(checked.content)
    attachment = Attachment(
        meeting=meeting, agenda_item=item, filename=checked.filename, stored_name=stored_name,
        content_type=checked.content_type, size=len(checked.content), uploaded_by_id=uploaded_by.id,
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


def path_of(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


def delete(attachment: Attachment) -> None:
    """The file goes; the record stays (marked deleted) and the audit log says who and when."""
    attachment.deleted_at = utcnow()
    recorder.record("delete", attachment, summary=attachment.filename)
    db.session.commit()
    path_of(attachment).unlink(missing_ok=True)
