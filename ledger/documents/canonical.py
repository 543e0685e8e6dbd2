"""The canonical data of a document, its digest and its id — pure functions, no I/O.

Canonical JSON (canonical_version 1), the bytes a document's digest is taken of and the file
attached to its PDF:
  * UTF-8, one JSON value, no whitespace between tokens (separators `,` and `:`), no newline
    at the end; non-ASCII characters written as themselves (not \\u escapes); the characters
    JSON must escape (`"`, `\\`, U+0000–U+001F) escaped as Python's json module does;
  * object keys sorted by Unicode code point;
  * only strings, integers, booleans, null, arrays and objects — never a float: amounts are
    decimal strings of 万元 with exactly two decimals ("1234.56", as the JSON API returns them),
    shares are percent strings with two decimals ("30.00"), dates "YYYY-MM-DD", times UTC
    "YYYY-MM-DDTHH:MM:SS.ffffffZ".
The digest is the lowercase hex SHA-256 of those bytes, so anyone can check a printed digest
with `pdfdetach` and `sha256sum`.

The layout of the data is versioned by its `canonical_version`: filing forms and receipts are
at 1; statements at 2 hold the funds line (`funds_in_place`: its regions, totals with the
split by source, reconciliation) beside the completed-investment figures, which stay where
version 1 had them. A statement issued at version 1 keeps its layout: made again for the same
subject and as-of time — to print it again or to verify it — it is made at version 1, so its
digest is the one issued (ledger.documents.statement, again_and_later).

A document id is fixed by the document's kind, subject and as-of time and the deployment's
secret key (an HMAC: ids cannot be computed from a subject and a round as-of time without the
key): issuing the same document again gives the same id (and, for the same data, the same
digest and PDF). Its verification code is an HMAC of the id with the same key: printed beside
the id and carried in the QR code, it opens the full verification page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import date, datetime

from ledger.domain.enums import DocumentKind
from ledger.domain.periods import utc_text

CANONICAL_VERSION = 1
STATEMENT_VERSION = 2  # version 1 statements hold the completed-investment line alone
STATEMENT_VERSIONS = (1, 2)
# ledger-document-id/1 was SHA-256 without a key; documents issued so keep their ids (the
# register is asked first: ledger.documents.document.Issuer).
ID_SCHEME = "ledger-document-id/2"
CODE_SCHEME = "ledger-document-code/1"
CODE_LENGTH = 16  # base32 characters: 80 bits, printed in groups of four
NOT_CODE = re.compile(r"[\s-]+")
KIND_PREFIX = {DocumentKind.FILING: "BA", DocumentKind.RECEIPT: "HZ",  # 备案表, 回执
               DocumentKind.STATEMENT: "TJ"}  # 统计汇总
ID_GROUPS, ID_GROUP = 4, 5  # an id's base32 characters after its prefix: 4 groups of 5
# Every id document_id makes — and the unkeyed ones of ledger-document-id/1, of the same shape:
# what the verify page looks up; anything else is no document's id.
ID_PATTERN = re.compile("(?:%s)(?:-[A-Z2-7]{%d}){%d}"
                        % ("|".join(KIND_PREFIX.values()), ID_GROUP, ID_GROUPS))


class NotCanonical(TypeError):
    """A value that has no canonical encoding (a float, a Decimal, a naive time …)."""


def _check(value, path: str = "$") -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: object keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    kind = ("date or time (write it as text)" if isinstance(value, (date, datetime))
            else type(value).__name__)
    raise NotCanonical(f"{path}: {kind} has no canonical encoding")


def canonical_json(data: dict) -> bytes:
    """The canonical bytes of `data` (see the module docstring)."""
    _check(data)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def digest(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def _keyed(key: bytes, *parts: str) -> str:
    """Base32 (RFC 4648) of HMAC-SHA256 with `key` over the parts, one a line."""
    if not key:
        raise ValueError("documents need the deployment's secret key (LEDGER_SECRET_KEY)")
    mac = hmac.new(key, "\n".join(parts).encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")


def document_id(kind: str, subject: str, as_of: datetime, key: bytes) -> str:
    """E.g. BA-7KQ2M-XW4TZ-9PD3A-LMNQR: the kind's prefix and 100 bits of HMAC-SHA256 with the
    secret `key` over the kind, the subject and the as-of time (base32, grouped by five)."""
    length = ID_GROUPS * ID_GROUP
    code = _keyed(key, ID_SCHEME, kind, subject, utc_text(as_of))[:length]
    return "-".join([KIND_PREFIX[kind]] + [code[i:i + ID_GROUP] for i in range(0, length, ID_GROUP)])


def verification_code(document_id: str, key: bytes) -> str:
    """E.g. 7KQ2-MXW4-TZ9P-D3AL: 80 bits of HMAC-SHA256 with the secret `key` over the id, so
    every document — those issued before codes existed too — has one, and nothing is stored."""
    code = _keyed(key, CODE_SCHEME, document_id)[:CODE_LENGTH]
    return "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def code_matches(document_id: str, given: str, key: bytes) -> bool:
    """Whether `given` is the document's code, as typed or scanned: case, spaces and dashes
    aside; compared in constant time."""
    typed = NOT_CODE.sub("", given[:4 * CODE_LENGTH]).upper()
    wanted = NOT_CODE.sub("", verification_code(document_id, key))
    return hmac.compare_digest(typed.encode("ascii", "replace"), wanted.encode("ascii"))
