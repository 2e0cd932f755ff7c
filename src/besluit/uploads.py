"""Uploaded files: one check for size and type, one abstract model for how they are kept.

Agenda attachments, member letters' attachments and the files of progress updates are
all PDF or Word documents. ``check_upload`` decides by the bytes, not by what the
client says: the name's extension must match the content ("stuk.docx" holding a PDF
is refused). A stored file gets a random name on disk (``StoredFile.uuid``) and keeps
the original name only as data.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Mapping

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from besluit.errors import ValidationFailed

# The documents members exchange: extension -> content type.
ATTACHMENT_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Portraits (a candidate's photo): raster images only, never SVG (it can hold scripts).
PHOTO_TYPES: Mapping[str, str] = {"jpg": "image/jpeg", "png": "image/png"}
TYPE_LABELS = {"pdf": "PDF", "docx": "Word (.docx)", "jpg": "JPEG (.jpg)", "png": "PNG"}


def sniff_type(head: bytes, upload: UploadedFile) -> str | None:
    """``"pdf"``, ``"docx"``, ``"jpg"`` or ``"png"`` by the file's content, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def check_upload(
    file: UploadedFile,
    *,
    allowed_types: Mapping[str, str] = ATTACHMENT_TYPES,
    max_bytes: int | None = None,
    field: str = "file",
) -> str:
    """The file's kind (its extension) if it may be stored; else ValidationFailed.

    ``max_bytes`` defaults to the setting BESLUIT_MAX_ATTACHMENT_BYTES.
    """
    limit = settings.BESLUIT_MAX_ATTACHMENT_BYTES if max_bytes is None else max_bytes
    if file.size == 0:
        raise ValidationFailed(_("%(name)s is empty.") % {"name": file.name}, field=field)
    if file.size > limit:
        raise ValidationFailed(
            _("%(name)s is %(size)s bytes; at most %(limit)s bytes are allowed.")
            % {
                "name": file.name,
                "size": number_format(file.size, force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
            },
            field=field,
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    kind = sniff_type(head, file)
    claimed = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if kind is None or kind not in allowed_types or claimed != kind:
        raise ValidationFailed(
            _("%(name)s: only %(types)s files are accepted, and the name must match the content.")
            % {
                "name": file.name,
                "types": get_text_list([TYPE_LABELS.get(k, k) for k in allowed_types]),
            },
            field=field,
        )
    return kind


class StoredFile(models.Model):
    """What every uploaded file keeps besides its bytes.

    The concrete model declares ``file`` itself (each with its own folder on disk,
    named by ``uuid`` and ``extension``), so that existing migrations stay as they are.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        abstract = True

    def store(self, upload: UploadedFile, kind: str, types: Mapping[str, str] = ATTACHMENT_TYPES):
        """Fill in the file's data from a checked ``upload`` and save it (row and bytes)."""
        self.original_name = upload.name[:255]
        self.extension = kind
        self.content_type = types[kind]
        self.size = upload.size
        self.file.save("upload", upload, save=False)
        self.save()
        return self
