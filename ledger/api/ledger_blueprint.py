"""The blueprint the ledger's endpoints share (attribution, postings, years, audit): one
OpenAPI tag and one endpoint prefix (`ledger.…`) for the modules that hold them."""

from __future__ import annotations

from ledger.api.support import api_blueprint

blp = api_blueprint("ledger", "Attribution, postings, verification, years and audit")
