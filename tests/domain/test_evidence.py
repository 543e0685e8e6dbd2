"""What an evidence file may be (ledger.domain.evidence): a PDF, JPEG or PNG recognised by its
first bytes whatever its name; an empty file, one above the limit, any other type and a name
that says another type than the content are refused, each with its code on the field `file`."""

from __future__ import annotations

import pytest

from ledger.commands import demo_evidence
from ledger.domain import limits
from ledger.domain.errors import Invalid, TooLarge
from ledger.domain.evidence import media_type

PDF = demo_evidence.pdf(["bank slip"])
PNG = demo_evidence.png(1)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.mark.parametrize(("name", "content", "media"), [
    ("银行进账单.pdf", PDF, "application/pdf"),
    ("验资报告.PDF", PDF, "application/pdf"),          # the ending in any case
    ("report.v2.pdf", PDF, "application/pdf"),         # the last dot names the type
    ("发票.jpg", JPEG, "image/jpeg"),
    ("发票.jpeg", JPEG, "image/jpeg"),
    ("发票.JPEG", JPEG, "image/jpeg"),
    ("回单.png", PNG, "image/png"),
    ("scan", PDF, "application/pdf"),                  # no ending: the content alone says it
    ("scan", JPEG, "image/jpeg"),
    ("扫描件", PNG, "image/png"),
])
def test_recognised_by_content(name, content, media):
    assert media_type(name, content) == media


def refused(name: str, content: bytes, error: type, code: str):
    with pytest.raises(error) as info:
        media_type(name, content)
    assert type(info.value) is error and info.value.code == code
    assert list(info.value.errors) == ["file"]
    return info.value


def test_an_empty_file():
    refused("回单.pdf", b"", Invalid, "evidence.empty")


def test_the_size_limit():
    at_limit = b"%PDF-" + b"0" * (limits.EVIDENCE_FILE_MAX - 5)
    assert media_type("big.pdf", at_limit) == "application/pdf"
    err = refused("big.pdf", at_limit + b"0", TooLarge, "evidence.too_large")
    assert err.status == 413 and err.message.params == {"max": 10}


@pytest.mark.parametrize("content", [
    b"GIF89a\x01\x00\x01\x00",                  # an image, not one of the three
    b"PK\x03\x04\x14\x00\x06\x00",              # a .docx / .xlsx (a zip)
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",        # an old .doc
    "到账说明：100万元".encode(),                 # plain text
    b"%PDF",                                    # the magic cut short
    b"\xef\xbb\xbf%PDF-1.4",                    # something before the magic
    b"\x89PNG\r\n",                             # a PNG signature cut short
    b"\xff\xd8",                                # a JPEG marker cut short
    b" %PDF-1.4",
])
def test_other_types_are_refused_whatever_the_name(content):
    for name in ("回单.pdf", "回单.png", "回单"):
        refused(name, content, Invalid, "evidence.type")


@pytest.mark.parametrize(("name", "content", "said"), [
    ("回单.png", PDF, "PDF"),
    ("回单.jpg", PNG, "PNG"),
    ("回单.pdf", JPEG, "JPEG"),
    ("回单.docx", PDF, "PDF"),    # an ending of no accepted type says another type too
    ("回单.pdf.png", PDF, "PDF"),
])
def test_a_name_that_says_another_type(name, content, said):
    err = refused(name, content, Invalid, "evidence.name_mismatch")
    assert err.message.params == {"name": name, "type": said}
    assert name in str(err.message) and said in str(err.message)


def test_the_checks_in_order():
    """Empty before type; too large before type: the first problem is the one reported."""
    refused("x.gif", b"", Invalid, "evidence.empty")
    refused("x.gif", b"G" * (limits.EVIDENCE_FILE_MAX + 1), TooLarge, "evidence.too_large")
