"""One function per use case. Each checks permissions and rules, runs in one write transaction
(ledger.db.writing), writes its audit rows and lets the reconciler append postings."""
