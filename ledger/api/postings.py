"""The postings ledger and its verification."""

from __future__ import annotations

from ledger.api.ledger_blueprint import blp
from ledger.api.support import ctx, page_args, paginated
from ledger.queries import postings, verification
from ledger.schemas.requests import PostingQuery
from ledger.schemas.resources import PostingSchema, VerifySchema


@blp.route("/postings")
@blp.arguments(PostingQuery, location="query")
@blp.response(200, PostingSchema(many=True))
@blp.paginate()
def list_postings(args, pagination_parameters):
    """Ledger rows in `seq` order (a region sees its own postings only)."""
    return paginated(postings.postings(ctx(), **args, **page_args(pagination_parameters)),
                     pagination_parameters)


@blp.route("/ledger/verify")
@blp.response(200, VerifySchema)
def verify_ledger():
    """Recompute both hash chains, replay the journal against the tables and the postings, and
    check the signed checkpoints."""
    r = verification.verify_ledger(ctx())

    def head(seq, digest):
        return None if seq is None else {"seq": seq, "hash": digest}

    return {"ok": r.ok, "postings": r.postings, "head": head(r.head_seq, r.head_hash),
            "first_bad_seq": r.first_bad_seq, "checkpoints": r.checkpoints,
            "journal": {"entries": r.journal_entries,
                        "head": head(r.journal_head_seq, r.journal_head_hash),
                        "first_bad_entry": r.first_bad_entry},
            "problems": r.problems}
