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

A document id is fixed by the document's kind, subject and as-of time, nothing else: issuing
the same document again gives the same id (and, for the same data, the same digest and PDF).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime

CANONICAL_VERSION = 1
ID_SCHEME = "ledger-document-id/1"
KIND_PREFIX = {"filing": "BA", "receipt": "HZ", "statement": "TJ"}  # 备案表, 回执, 统计汇总


class NotCanonical(TypeError):
    """A value that has no canonical encoding (a float, a Decimal, a naive time …)."""


def utc_text(moment: datetime) -> str:
    """An aware time as UTC to the microsecond with a Z (as the API writes times)."""
    if moment.tzinfo is None:
        raise NotCanonical("naive datetime: pass an aware datetime")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


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


def document_id(kind: str, subject: str, as_of: datetime) -> str:
    """E.g. BA-7KQ2M-XW4TZ-9PD3A-LMNQR: the kind's prefix and 100 bits of SHA-256 over the
    kind, the subject and the as-of time (RFC 4648 base32, grouped by five)."""
    prefix = KIND_PREFIX[kind]
    material = "\n".join((ID_SCHEME, kind, subject, utc_text(as_of))).encode("utf-8")
    code = base64.b32encode(hashlib.sha256(material).digest()).decode("ascii")[:20]
    return "-".join([prefix] + [code[i:i + 5] for i in range(0, 20, 5)])
