"""The log's Ed25519 signing key: generated once into the instance folder, readable by the
owner only, and the exact bytes a tree head signature covers.

Plain Python (no Flask): callers pass the instance folder. See
docs/decisions/0008-transparency-log.md for rotation and for what a lost key means.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

log = logging.getLogger("charity.log")

KEY_FILE = "transparency-log-ed25519.pem"
# The first line of every signed head: no signature made for anything else can pass for one.
HEAD_CONTEXT = "charity-transparency-log/v1"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
HEAD_FORMAT = f"{HEAD_CONTEXT}\n<tree_size>\n<root_hash>\n<timestamp>\n"


def key_path(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / KEY_FILE


def load_or_create(instance_path: str | os.PathLike) -> Ed25519PrivateKey:
    """The installation's signing key, created on first use (mode 0600).

    Two processes starting at once cannot make two keys: the key is written to a private
    temporary file and linked into place, which fails if another process got there first;
    the loser then reads the winner's key."""
    path = key_path(instance_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
                log.warning("transparency log: new signing key %s in %s",
                            key_id(public_bytes(load_pem(pem))), path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        # Someone copied the key in with a loose mode: close it rather than refuse to sign
        # (refusing would stop every disclosure).
        log.warning("transparency log key %s had mode %o; set to 600", path, mode)
        path.chmod(0o600)
    return load_pem(path.read_bytes())


def public_info(instance_path: str | os.PathLike) -> dict:
    """The public key as GET /api/v1/log/key gives it (and the open-data page shows it)."""
    raw = public_bytes(load_or_create(instance_path))
    kid = key_id(raw)
    return {"algorithm": "Ed25519", "key_id": kid, "fingerprint": fingerprint(kid),
            "public_key": raw.hex(), "public_key_pem": public_pem(raw),
            "signature_encoding": "hex", "signed_message": HEAD_FORMAT}


def load_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the transparency log key is not an Ed25519 key")
    return key


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key."""
    return private.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)


def public_pem(raw: bytes) -> str:
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(raw: bytes) -> str:
    """SHA-256 of the raw public key, lowercase hex: what heads and monitors name it by."""
    return hashlib.sha256(raw).hexdigest()


def fingerprint(kid: str) -> str:
    """The key id in groups of four, for reading aloud and printing on paper."""
    return " ".join(kid[i:i + 4] for i in range(0, len(kid), 4))


def format_timestamp(moment: dt.datetime) -> str:
    """A head's timestamp as signed and served: whole seconds, UTC, YYYY-MM-DDTHH:MM:SSZ."""
    return moment.astimezone(dt.timezone.utc).strftime(TIMESTAMP_FORMAT)


def head_message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """The bytes a head's signature covers: four lines of UTF-8 text, each ending in "\\n":
    the context, the tree size in decimal, the root hash in lowercase hex, the timestamp
    (YYYY-MM-DDTHH:MM:SSZ, UTC)."""
    return f"{HEAD_CONTEXT}\n{tree_size}\n{root_hash}\n{timestamp}\n".encode("utf-8")


def sign(private: Ed25519PrivateKey, tree_size: int, root_hash: str, timestamp: str) -> str:
    """The head's Ed25519 signature, lowercase hex (64 bytes, 128 characters)."""
    return private.sign(head_message(tree_size, root_hash, timestamp)).hex()


def verify(raw_public: bytes, tree_size: int, root_hash: str, timestamp: str,
           signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(
            bytes.fromhex(signature_hex), head_message(tree_size, root_hash, timestamp))
    except (InvalidSignature, ValueError):
        return False
    return True
