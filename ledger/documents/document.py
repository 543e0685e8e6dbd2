"""A document to print: its kind, subject, as-of time and canonical data (plain JSON values made
from the read models of ledger.queries.documents), its id and verification code (given by the
Issuer: keyed with the deployment's secret), and what follows from them — digest, verification
URL, file names. Picklable, so a worker process can render it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from ledger.documents.canonical import document_id as keyed_document_id
from ledger.documents.canonical import (
    CANONICAL_VERSION, STATEMENT_VERSION, STATEMENT_VERSIONS, canonical_json, digest,
    verification_code,
)
from ledger.domain.enums import FILING_BODIES, DocumentKind
from ledger.domain.money import MAX_SHARE_BP, format_amount, format_share
from ledger.domain.vocabulary import (
    ASSESSMENT_ONLY, BODY_NAMES, RECEIPT_NOTICE, TITLES, statement_title,
)
from ledger.domain.periods import utc_text
from ledger.queries.documents import AgreementFacts, Party, StatementFacts
from ledger.queries.statement import statement_body

CHECKPOINT_FIELDS = ("journal_seq", "journal_hash", "postings_seq", "postings_hash", "signed_at",
                     "key_id", "signature")


def _none_registered(kind: str, subject: str, as_of: datetime) -> str | None:
    return None


@dataclass(frozen=True)
class Issuer:
    """Who issues documents: the base of their verification links (LEDGER_PUBLIC_URL), the
    secret key their ids and codes are keyed with (LEDGER_SECRET_KEY), and the register's id of
    a document already issued (`registered(kind, subject, as_of)`): a document issued before
    ids were keyed keeps its id, and so its code and bytes."""

    public_url: str
    key: bytes = field(repr=False)
    registered: Callable[[str, str, datetime], str | None] = _none_registered

    def identify(self, kind: str, subject: str, as_of: datetime) -> tuple[str, str]:
        """(document id, verification code)."""
        found = self.registered(kind, subject, as_of)
        document_id_ = found or keyed_document_id(kind, subject, as_of, self.key)
        return document_id_, verification_code(document_id_, self.key)


@dataclass(frozen=True)
class Document:
    kind: str
    subject: str
    as_of: datetime
    data: dict                       # the canonical data (see canonical.py)
    public_url: str                  # LEDGER_PUBLIC_URL: the base of the verification link
    document_id: str                 # Issuer.identify: keyed, or as first registered
    code: str                        # the verification code: opens the full /verify page
    checkpoint: dict | None = None   # the signed checkpoint of the as-of time, when given
    filename: str = field(default="")
    province: str | None = None      # the province's name, for its own word (not in the data)

    @cached_property
    def canonical(self) -> bytes:
        return canonical_json(self.data)

    @cached_property
    def digest(self) -> str:
        return digest(self.canonical)

    @property
    def verify_url(self) -> str:
        """What the QR code holds: the verification page with the code (the full page), written
        without its dashes (a shorter code to scan; a line break at a dash reads as a soft
        hyphen)."""
        code = self.code.replace("-", "")
        return f"{self.public_url.rstrip('/')}/verify/{self.document_id}?code={code}"

    @property
    def title(self) -> str:
        if self.kind == DocumentKind.STATEMENT:
            return statement_title(self.data["year"])
        return TITLES[DocumentKind(self.kind)]

    @property
    def data_attachment(self) -> str:
        """The name of the attached canonical data: sha256 of that file = the printed digest."""
        return f"{self.document_id}.json"

    @property
    def checkpoint_attachment(self) -> str:
        return f"{self.document_id}-checkpoint.json"


def checked_checkpoint(checkpoint: Mapping | None) -> dict | None:
    """The signed checkpoint of a document's as-of time, as given by the ledger's checkpoint
    signer: exactly CHECKPOINT_FIELDS; sequence numbers are integers, the rest text."""
    if checkpoint is None:
        return None
    given = dict(checkpoint)
    if set(given) != set(CHECKPOINT_FIELDS):
        raise ValueError(f"a checkpoint has exactly the fields {', '.join(CHECKPOINT_FIELDS)}; "
                         f"got {', '.join(sorted(given))}")
    for name in CHECKPOINT_FIELDS:
        value = given[name]
        if name.endswith("_seq"):
            if type(value) is not int or value < 0:
                raise ValueError(f"checkpoint {name} must be a non-negative integer")
        elif isinstance(value, datetime):
            given[name] = utc_text(value)
        elif not isinstance(value, str) or not value:
            raise ValueError(f"checkpoint {name} must be non-empty text")
    return given


# ------------------------------------------------------------------ canonical data

def _party(party: Party) -> dict:
    return {"code": party.code, "name": party.name, "level": party.level}


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _other_share(share: int) -> str:
    return format_share(MAX_SHARE_BP - share) if share < MAX_SHARE_BP else "0.00"


def _funds_shares(v) -> dict:
    """The shares of funds in place, only when they differ from completed investment's: the
    canonical data of every version agreed with one share (every document issued before the
    funds line existed) stay exactly as issued, and so keep their digest; the printed form
    reads the absent fields as the completed-investment shares (wording.shares)."""
    if v.funds_share == v.recommender_share:
        return {}
    return {"funds_share": format_share(v.funds_share),
            "funds_receiver_share": _other_share(v.funds_share)}


def _agreement_data(facts: AgreementFacts) -> dict:
    v = facts.version
    acks = {ack.body: ack.at for ack in v.acknowledgements}
    bureaus_of = facts.province.name if facts.province else ""  # 宁夏回族自治区统计局
    return {
        "agreement": {
            "id": facts.agreement_id, "number": facts.number, "versions": facts.versions,
            "version": v.version, "status": v.status,
            "recommender_share": format_share(v.recommender_share),
            "receiver_share": _other_share(v.recommender_share),
            **_funds_shares(v),
            "first_year": v.first_year, "last_year": v.last_year,
            "agreed_last_year": v.agreed_last_year, "signed_on": _date(v.signed_on),
            "signatories": {"recommender": v.recommender_signatory,
                            "receiver": v.receiver_signatory},
            "reason": v.reason, "proposed_by": v.proposed_by,
            "acknowledged_by": v.acknowledged_by,
            "filing_number": v.filing_number, "filed_on": _date(v.filed_on),
        },
        "project": {
            "id": facts.project.id, "name": facts.project.name,
            "project_code": facts.project.project_code,
            "investor_name": facts.project.investor_name,
            "investor_credit_code": facts.project.investor_credit_code,
            "investor_foreign": facts.project.investor_foreign,
            "industry_code": facts.project.industry_code,
            "industry_name": facts.project.industry_name,
            "planned_investment": format_amount(facts.project.planned_investment),
            "zone_id": facts.project.zone_id, "zone_name": facts.project.zone_name,
            "host_code": facts.project.host_code, "stage": facts.project.stage,
        },
        "recommender": _party(facts.recommender),
        "receiver": _party(facts.receiver),
        "province": None if facts.province is None else _party(facts.province),
        "filing_bodies": [
            {"body": body, "name": bureaus_of + BODY_NAMES[body],
             "acknowledged_at": utc_text(acks[body]) if body in acks else None}
            for body in FILING_BODIES],
    }


def _subject_of(facts: AgreementFacts) -> str:
    return f"agreement/{facts.number}/v{facts.version.version}"


def filing_document(facts: AgreementFacts, issuer: Issuer,
                    checkpoint: Mapping | None = None) -> Document:
    """The filing form (备案表) of one agreement version."""
    return _agreement_document(DocumentKind.FILING, ASSESSMENT_ONLY, facts, issuer, checkpoint)


def receipt_document(facts: AgreementFacts, issuer: Issuer,
                     checkpoint: Mapping | None = None) -> Document:
    """The filing receipt (备案回执) of a filed agreement version."""
    if not facts.filed:
        raise ValueError("a receipt is made only for a filed version (receipt_facts checks it)")
    return _agreement_document(DocumentKind.RECEIPT, RECEIPT_NOTICE, facts, issuer, checkpoint)


def _agreement_document(kind: DocumentKind, note: str, facts: AgreementFacts, issuer: Issuer,
                        checkpoint: Mapping | None) -> Document:
    subject = _subject_of(facts)
    data = {"canonical_version": CANONICAL_VERSION, "kind": kind, "subject": subject,
            "as_of": utc_text(facts.as_of), "note": note} | _agreement_data(facts)
    return Document(kind, subject, facts.as_of, data, issuer.public_url,
                    *issuer.identify(kind, subject, facts.as_of), checked_checkpoint(checkpoint),
                    f"{kind}-{facts.number}-v{facts.version.version}.pdf")


def statement_document(facts: StatementFacts, issuer: Issuer,
                       checkpoint: Mapping | None = None,
                       version: int = STATEMENT_VERSION) -> Document:
    """The annual statement (年度分算汇总表): the attribution JSON of the API for the same year
    and as-of time on each line (completed investment; from version 2 funds in place too), the
    scope and the ledger head. `version`: the canonical layout (canonical.py)."""
    if version not in STATEMENT_VERSIONS:
        raise ValueError(f"no statement layout {version}")
    found = facts.attribution
    subject = f"statement/{found.year}" + (f"/{facts.scope}" if facts.scope else "")
    head = facts.head
    data = {
        "canonical_version": version, "kind": DocumentKind.STATEMENT, "subject": subject,
        "year": found.year, "as_of": utc_text(found.as_of), "note": found.notice,
        "scope": facts.scope, **statement_body(found, format_amount),
        "ledger_head": None if head is None else {
            "seq": head.seq, "hash": head.hash, "recorded_at": utc_text(head.recorded_at)},
    }
    if version >= 2:
        if facts.funds is None:
            raise ValueError("a statement of layout 2 needs the funds line")
        data["funds_in_place"] = statement_body(facts.funds, format_amount)
    name = f"statement-{found.year}" + (f"-{facts.scope}" if facts.scope else "") + ".pdf"
    return Document(DocumentKind.STATEMENT, subject, found.as_of, data, issuer.public_url,
                    *issuer.identify(DocumentKind.STATEMENT, subject, found.as_of),
                    checked_checkpoint(checkpoint), name, facts.province)

