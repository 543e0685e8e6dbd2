"""Ed25519 signatures of the ledger's checkpoints, with a key kept outside the database
(LEDGER_SIGNING_KEY_FILE): whoever can rewrite the database still cannot sign."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class SigningKeyMissing(RuntimeError):
    """The configured key file does not exist or does not hold an Ed25519 private key."""


def create_key(path: Path) -> Path:
    """Write a new private key (PEM, PKCS #8), readable by its owner only; never overwrite."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return path


@functools.cache
def load_key(path: Path | str | None) -> Ed25519PrivateKey:
    if path is None:
        raise SigningKeyMissing("no signing key configured (LEDGER_SIGNING_KEY_FILE)")
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as err:
        raise SigningKeyMissing(f"cannot read the signing key {path}: {err}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming the key a signature was made with."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_keys(path: Path | str | None) -> dict[str, Ed25519PublicKey]:
    """The public keys a checkpoint may be signed with, by key id: the deployment's own (none
    when it has no key, so every checkpoint is then reported as signed by an unknown key)."""
    try:
        public = load_key(path).public_key()
    except SigningKeyMissing:
        return {}
    return {key_id(public): public}


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return key.sign(message).hex()


def is_valid(public_key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
