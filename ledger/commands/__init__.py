"""One function per use case (the writes). Each takes a Context (who acts, settings, clock) and
typed input loaded by the request schemas, checks permissions and rules, runs in one write
transaction (ledger.db.writing), writes its audit rows and lets the reconciler append postings.
No Flask here: the API, the web pages and the command line call the same functions."""
