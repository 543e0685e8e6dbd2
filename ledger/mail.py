"""E-mail through SMTP, with the standard library (smtplib, email.message): the messages of
ledger.queries.notifications, mailed by ledger.commands.notify once a transaction has committed.

LEDGER_SMTP_URL names the server: smtp://host:port (plain, or STARTTLS with ?starttls=1),
smtps://user:password@host:465 (TLS from the start); user and password, when given, log in.
Unset: nothing is ever sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT = 10  # seconds a connection or a reply may take


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Server:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool

    @classmethod
    def parse(cls, url: str) -> "Server":
        """The server a LEDGER_SMTP_URL names (ValueError: not an smtp:// or smtps:// URL)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LEDGER_SMTP_URL must be smtp://host:port or smtps://user:pass@host:465")
        query = parse_qs(parts.query)
        return cls(parts.scheme, parts.hostname,
                   parts.port or (465 if parts.scheme == "smtps" else 25),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None,
                   query.get("starttls", ["0"])[0] in ("1", "true", "yes"))


def message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, mail.to, mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(mail.body)  # UTF-8, as the Chinese text needs
    return msg


def send(url: str, sender: str, mails: list[Mail]) -> None:
    """Send the mails over one connection."""
    server = Server.parse(url)
    context = ssl.create_default_context()
    if server.scheme == "smtps":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    with client:
        if server.starttls:
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password or "")
        for mail in mails:
            client.send_message(message(mail, sender))
