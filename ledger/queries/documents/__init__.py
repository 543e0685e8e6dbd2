"""The documents' reads (docs/documents.md, docs/documents-code.md), in one place:

  facts.py     what a filing form, a receipt and the annual statement print, as of a moment
               (re-exported here: callers write `queries.documents.agreement_facts`);
  history.py   the facts of regions, zones, projects and agreements as the journal recorded
               them up to a time, never the current rows;
  register.py  an issued document read back and compared with what the ledger says now (the
               verify page)."""

from ledger.queries.documents.facts import (
    Acknowledgement, AgreementFacts, LedgerHead, Party, ProjectFacts, StatementFacts, VersionFacts,
    agreement_changes, agreement_facts, filed, filed_versions, ledger_head, receipt_facts,
    statement_as_of, statement_changes, statement_facts,
)

__all__ = [
    "Acknowledgement", "AgreementFacts", "LedgerHead", "Party", "ProjectFacts", "StatementFacts",
    "VersionFacts", "agreement_changes", "agreement_facts", "filed", "filed_versions",
    "ledger_head", "receipt_facts", "statement_as_of", "statement_changes", "statement_facts",
]
