"""What every command and query is given: the session, who acts, the deployment's settings and a
clock.

Commands never read Flask's config or the environment: an adapter builds the Context, and a test
builds one with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from ledger import config
from ledger.db import utcnow
from ledger.domain.periods import local_date
from ledger.policy import Actor


@dataclass(frozen=True)
class Settings:
    filing_prefix: str = config.FILING_PREFIX
    token_ttl: int = config.TOKEN_TTL
    signing_key_file: str | None = None  # Ed25519 key of the checkpoints, outside the database
    public_url: str = config.PUBLIC_URL
    # LEDGER_SECRET_KEY: also keys the ids and verification codes of printed documents
    secret_key: str = field(default="", repr=False)

    @classmethod
    def from_config(cls, config: Mapping) -> "Settings":
        return cls(filing_prefix=config["FILING_PREFIX"], token_ttl=config["TOKEN_TTL"],
                   signing_key_file=config.get("SIGNING_KEY_FILE"), public_url=config["PUBLIC_URL"],
                   secret_key=config["SECRET_KEY"])


@dataclass(frozen=True)
class Context:
    session: Session
    actor: Actor
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = utcnow

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in Beijing: filing dates and the years that number filings are civil dates."""
        return local_date(self.clock())

    def acting_as(self, actor: Actor) -> "Context":
        return replace(self, actor=actor)
