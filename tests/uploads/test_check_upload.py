"""One check for every uploaded document, with one set of messages (besluit.uploads).

Agenda attachments, member letters' attachments and the files of a progress update
used to have three copies of the size and type check, each with its own wording.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from besluit.accountability import services as accountability
from besluit.associations.models import Role
from besluit.errors import ValidationFailed
from besluit.letters import services as letters
from besluit.letters.models import Letter
from besluit.meetings import services as meetings
from besluit.uploads import ATTACHMENT_TYPES, check_upload
from tests import factories
from tests.accountability.helpers import adopt_by_vote, submit_motion, voters

PDF = b"%PDF-1.7\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _refusal(upload, **kwargs) -> ValidationFailed:
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        check_upload(upload, **kwargs)
    return caught.value


def test_a_pdf_and_a_word_file_are_accepted_by_their_content():
    assert check_upload(SimpleUploadedFile("stuk.pdf", PDF)) == "pdf"
    assert check_upload(SimpleUploadedFile("Stuk.DOCX", _docx())) == "docx"


def test_an_empty_file_is_refused_by_name():
    error = _refusal(SimpleUploadedFile("leeg.pdf", b""))
    assert error.message == "leeg.pdf is empty." and error.field == "file"


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    error = _refusal(SimpleUploadedFile("groot.pdf", PDF + b"x" * 2000), max_bytes=1000)
    assert error.message == "groot.pdf is 2,015 bytes; at most 1,000 bytes are allowed."


def test_the_limit_defaults_to_the_setting(settings):
    settings.BESLUIT_MAX_ATTACHMENT_BYTES = 10
    assert "at most 10 bytes" in _refusal(SimpleUploadedFile("a.pdf", PDF)).message


def test_a_pdf_named_docx_is_refused():
    error = _refusal(SimpleUploadedFile("stuk.docx", PDF), field="files")
    assert error.field == "files"
    assert error.message == (
        "stuk.docx: only PDF or Word (.docx) files are accepted, and the name must match "
        "the content."
    )


def test_a_kind_the_caller_does_not_allow_is_refused():
    only_pdf = {"pdf": ATTACHMENT_TYPES["pdf"]}
    assert check_upload(SimpleUploadedFile("a.pdf", PDF), allowed_types=only_pdf) == "pdf"
    error = _refusal(SimpleUploadedFile("b.docx", _docx()), allowed_types=only_pdf)
    assert error.message.startswith("b.docx: only PDF files are accepted")


@pytest.mark.django_db
def test_the_three_upload_paths_refuse_a_disguised_file_with_one_message(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    association = factories.make_association(8)
    secretariat = factories.make_user("sec", association, Role.Kind.SECRETARIAT)
    chair = factories.make_user("chair", association, Role.Kind.CHAIR)
    rep = factories.make_user(
        "rep", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 0)
    )
    meeting = factories.make_meeting(association)
    letter = letters.do_create_letter(
        actor=secretariat, association=association, kind=Letter.Kind.CONVOCATION, meeting=meeting
    )
    motion = submit_motion(rep, meeting)
    adopt_by_vote(chair, motion, voters(association))
    commitment = motion.commitments.get()

    def disguised():
        return SimpleUploadedFile("stuk.docx", PDF)

    uploads = {
        "agenda": lambda: meetings.do_add_attachment(
            actor=secretariat, agenda_item=meeting.agenda_items.first(), upload=disguised()
        ),
        "letter": lambda: letters.do_add_attachment(
            actor=secretariat, letter=letter, upload=disguised()
        ),
        "update": lambda: accountability.do_post_update(
            actor=secretariat,
            commitment=commitment,
            done="Gedaan.",
            planned="",
            files=[disguised()],
        ),
    }
    messages = {}
    for where, upload in uploads.items():
        with translation.override("en"), pytest.raises(ValidationFailed) as caught:
            upload()
        messages[where] = caught.value.message
    assert len(set(messages.values())) == 1, messages
    assert messages["agenda"].startswith("stuk.docx: only PDF or Word (.docx) files")


def test_photos_are_jpeg_or_png_by_their_bytes_and_never_documents_or_svg():
    from besluit.uploads import PHOTO_TYPES

    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)
    jpg = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 8)
    assert check_upload(png, allowed_types=PHOTO_TYPES) == "png"
    assert check_upload(jpg, allowed_types=PHOTO_TYPES) == "jpg"
    for name, data in (("p.svg", b"<svg/>"), ("p.pdf", PDF), ("p.jpg", b"\x89PNG\r\n\x1a\n00")):
        _refusal(SimpleUploadedFile(name, data), allowed_types=PHOTO_TYPES)
    # Documents stay documents: a photo is not an attachment.
    _refusal(SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n00"), allowed_types=ATTACHMENT_TYPES)
