"""What an evidence file (凭证) of a receipt may be: a PDF, JPEG or PNG, recognised by its first
bytes, never by its name — and a name that says another type is refused too, for a file that
is not what its name says was renamed by someone, which a careful clerk wants to hear about."""

from __future__ import annotations

from ledger.domain import limits
from ledger.domain.errors import Invalid, TooLarge

# (media type, the bytes it starts with, the file name endings that say it)
KINDS = (("application/pdf", b"%PDF-", (".pdf",)),
         ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
         ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)))
EXTENSIONS = {ending: media for media, _, endings in KINDS for ending in endings}
MIB = limits.EVIDENCE_FILE_MAX // 2**20


def media_type(filename: str, content: bytes) -> str:
    """The file's media type as its content says; Invalid/TooLarge with field `file` else."""
    if not content:
        raise Invalid("evidence.empty", field="file")
    if len(content) > limits.EVIDENCE_FILE_MAX:
        raise TooLarge("evidence.too_large", field="file", max=MIB)
    media = next((m for m, magic, _ in KINDS if content.startswith(magic)), None)
    if media is None:
        raise Invalid("evidence.type", field="file")
    dot = filename.rfind(".")
    named = EXTENSIONS.get(filename[dot:].lower()) if dot >= 0 else None
    if dot >= 0 and named != media:
        raise Invalid("evidence.name_mismatch", field="file", name=filename,
                      type=media.split("/")[1].upper())
    return media
