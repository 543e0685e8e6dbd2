"""Every size limit of the product, in one place: request schemas validate against these,
models size their columns from them, and the UI shows them. Lengths count characters after
surrounding whitespace is stripped."""

from __future__ import annotations

from datetime import date

# Texts (characters)
PROJECT_NAME = 200
INVESTOR_NAME = 200
REGION_NAME = 100
ZONE_NAME = 100
BLOCK_NAME = 100
SIGNATORY = 50
REASON = 2000
NOTE = 500
EVIDENCE_FILENAME = 200
USERNAME_MIN, USERNAME_MAX = 3, 50
PASSWORD_MIN, PASSWORD_MAX = 8, 200
EMAIL = 254            # an account's e-mail address (RFC 5321's path limit)
MESSAGE_KEY = 64       # a message's key (ledger.queries.notifications): kind and ids
MESSAGES_SHOWN = 100   # the messages page lists the newest this many
SEARCH = 100           # the q= of project lists
INDUSTRY_SEARCH = 50   # the q= of the industry table
AUDIT_ENTITY = 30
AUDIT_ACTION = 40
AUDIT_ENTITY_ID = 40
# Whitespace around a stripped text: a text longer than its limit plus this is refused before
# it is stripped or read (a limit counts the stripped text).
SURROUNDING_SPACE = 100

# Decimal strings (characters): amounts and shares. "-1000000000000.00" is 17; anything longer
# is refused before it is parsed.
DECIMAL_TEXT = 20

# Codes (characters)
REGION_CODE = 16       # 640000-NDJDXXXX: six digits, '-', up to 8 letters or digits
INDUSTRY_CODE = 5      # C2614
CREDIT_CODE = 18       # 统一社会信用代码
PROJECT_CODE = 24      # 2023-640000-26-03-004512
AGREEMENT_NUMBER = 20  # XY-2026-0007
FILING_NUMBER = 40     # 统备〔2026〕7号
FILING_PREFIX = 10
DOCUMENT_ID = 26       # BA-7KQ2M-XW4TZ-9PD3A-LMNQR (ledger/documents/canonical.py)
DOCUMENT_SUBJECT = 80  # agreement/XY-2026-0007/v2, statement/2026/640104

# Counts
MAX_BLOCKS = 3         # a zone has at most three blocks (区块)

# Years and dates the ledger accepts (assessment years, agreement years, civil dates)
YEAR_MIN, YEAR_MAX = 1990, 2100
DATE_MIN, DATE_MAX = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)

# Database integer ranges: ids are INTEGER, posting sequence numbers BIGINT.
MAX_ID = 2**31 - 1
MAX_SEQ = 2**63 - 1

# Lists
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 50, 200

# HTTP
IDEMPOTENCY_KEY = 200
# JSON request bodies: our bodies nest two deep and hold small integers (ids, years); deeper
# or longer is refused as invalid JSON before anything else reads it.
JSON_DEPTH = 16
JSON_INTEGER_DIGITS = 50

# Request bodies (bytes). JSON requests are small; an import file (multipart upload of a CSV or
# XLSX) may be larger: its view raises the limit for itself (request.max_content_length).
REQUEST_BODY_MAX = 1024 * 1024                          # 1 MiB for every JSON request
IMPORT_FILE_MAX = 20 * 1024 * 1024                      # 20 MiB: the uploaded file itself
IMPORT_REQUEST_MAX = IMPORT_FILE_MAX + 64 * 1024        # the file plus its multipart envelope
EVIDENCE_FILE_MAX = 10 * 1024 * 1024                    # 10 MiB: one evidence file (凭证)
EVIDENCE_REQUEST_MAX = EVIDENCE_FILE_MAX + 64 * 1024
EVIDENCE_FILES = 20                                     # evidence files of one receipt

# Ids per IN (…) list of one statement: well under SQLite's limit of bound parameters (32766;
# 999 before SQLite 3.32), so a batch of any size is read in pieces.
CHUNK = 900

# Bulk imports of monthly reports and of funds receipts (POST /investments/import and
# /funds/import, `ledger import [--funds]`)
IMPORT_ROWS = 100_000          # rows of one file below its header, blank ones included
IMPORT_COLUMNS = 50            # header cells read; more columns are not looked at
IMPORT_CELL = 1000             # characters of one cell (the longest column, note, allows 500)
# An XLSX is a zip archive: refused before it is opened when its members would expand beyond
# this (a zip bomb), or when it holds more members than a workbook plausibly has.
XLSX_UNCOMPRESSED_MAX = 128 * 1024 * 1024
XLSX_MEMBERS_MAX = 500
