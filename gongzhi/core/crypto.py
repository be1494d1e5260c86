"""Personal data at rest: numbers and uploaded files sealed (AES-256-GCM) for reading back, numbers
also blind-indexed (HMAC-SHA-256) for exact lookup and duplicate detection.

The deployment key comes from `GONGZHI_ID_KEY` (any long random string; `openssl rand -base64 32`).
Two independent sub-keys are derived from it (HKDF): one encrypts, one keys the blind indexes, and
each kind of number (ID, phone) gets its own index key, so an ID hash never matches a phone hash.

Without the variable a fixed development key is used and a warning is logged once: data sealed with
it is readable by anyone with this source code.

Rotating the key: set the new key in `GONGZHI_ID_KEY` and the old one(s) in `GONGZHI_ID_KEY_PREVIOUS`
(comma-separated), restart, and run `gongzhi rotate-keys`. Until it has run, values and files sealed
with an old key still read (each key is tried, newest first; AES-GCM's tag tells a wrong key), but
lookups by blind index only find what was re-indexed; the command re-seals every registered column
(`register_sealed`) and every sealed file with the new key and recomputes the indexes. Then drop
the old key.
"""

import base64
import functools
import hashlib
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

logger = logging.getLogger(__name__)

ENV_KEY = "GONGZHI_ID_KEY"
ENV_PREVIOUS = "GONGZHI_ID_KEY_PREVIOUS"
DEV_KEY = "gongzhi-development-id-key-not-for-production"
PREFIX = "v1:"
NONCE_BYTES = 12

# Purposes of a blind index: the same number hashed for two purposes gives unrelated hashes.
ID_NUMBER = "id_number"
PHONE = "phone"


def _derive(secret: str, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gongzhi.registry", info=info.encode()).derive(
        secret.encode())


@functools.cache
def _keys() -> tuple[AESGCM, dict[str, bytes]]:
    secret = os.environ.get(ENV_KEY, "")
    if not secret:
        logger.warning("%s is not set: personal numbers are sealed with the public development key.", ENV_KEY)
        secret = DEV_KEY
    return AESGCM(_derive(secret, "seal")), {p: _derive(secret, f"index:{p}") for p in (ID_NUMBER, PHONE)}


@functools.cache
def _previous() -> tuple[AESGCM, ...]:
    """The sealing keys of earlier deployment keys, newest first: still read until `rotate-keys` ran."""
    secrets = [s.strip() for s in os.environ.get(ENV_PREVIOUS, "").split(",") if s.strip()]
    return tuple(AESGCM(_derive(secret, "seal")) for secret in secrets)


def _open(nonce: bytes, sealed: bytes) -> bytes:
    aead, _ = _keys()
    try:
        return aead.decrypt(nonce, sealed, None)
    except InvalidTag:
        for older in _previous():
            try:
                return older.decrypt(nonce, sealed, None)
            except InvalidTag:
                continue
        raise


@functools.cache
def _index_states() -> dict[str, tuple]:
    """HMAC-SHA-256 (RFC 2104) for each index key, with the key already absorbed: the hash states
    after the inner and the outer padded key. Copying them is several times faster than keying an
    HMAC per value (OpenSSL looks its algorithm up on every one-shot call), and gives the same hashes."""
    _, index_keys = _keys()
    states = {}
    for purpose, key in index_keys.items():
        block = key.ljust(hashlib.sha256().block_size, b"\0")  # keys are 32 bytes: no pre-hashing
        states[purpose] = (hashlib.sha256(bytes(b ^ 0x36 for b in block)),
                           hashlib.sha256(bytes(b ^ 0x5C for b in block)))
    return states


def reset_keys() -> None:
    """Forget the derived keys (tests that change GONGZHI_ID_KEY)."""
    _keys.cache_clear()
    _previous.cache_clear()
    _index_states.cache_clear()


def seal(value: str) -> str:
    """`value` encrypted with a fresh nonce, as text for a CharField; "" stays ""."""
    if not value:
        return ""
    return PREFIX + base64.b64encode(seal_bytes(value.encode())).decode()


def unseal(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("unknown sealed-value version")
    return unseal_bytes(base64.b64decode(token[len(PREFIX):])).decode()


def seal_bytes(data: bytes) -> bytes:
    """Nonce + ciphertext + tag: for whole files (uploaded and rejected spreadsheets) at rest."""
    nonce = os.urandom(NONCE_BYTES)
    aead, _ = _keys()
    return nonce + aead.encrypt(nonce, data, None)


def unseal_bytes(data: bytes) -> bytes:
    return _open(data[:NONCE_BYTES], data[NONCE_BYTES:])


# Uploaded files sealed at rest start with this mark; a file without it was stored before sealing
# and is read as it is (and sealed by `rotate-keys`).
FILE_MARK = b"GZS1"


def seal_file(data: bytes) -> bytes:
    return FILE_MARK + seal_bytes(data)


def open_file(data: bytes) -> bytes:
    if data.startswith(FILE_MARK):
        return unseal_bytes(data[len(FILE_MARK):])
    # Stored before files were marked: sealed without the mark (import spreadsheets) or in clear.
    try:
        return unseal_bytes(data)
    except (InvalidTag, ValueError):
        return data


# --- what `rotate-keys` re-seals ------------------------------------------------------------------

# (model, sealed column, blind-index column or None, index purpose or None), registered by the apps.
_sealed_columns: list[tuple] = []


def register_sealed(model, column: str, index_column: str | None = None, purpose: str | None = None) -> None:
    entry = (model, column, index_column, purpose)
    if entry not in _sealed_columns:
        _sealed_columns.append(entry)


def sealed_columns() -> list[tuple]:
    return list(_sealed_columns)


def blind_index(value: str, purpose: str) -> str | None:
    """A keyed hash of the normalised `value` (128 bits, hex) for exact lookup; None for ""."""
    if not value:
        return None
    inner_state, outer_state = _index_states()[purpose]
    inner = inner_state.copy()
    inner.update(value.encode())
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()[:32]


def rotate(roots, *, chunk: int = 2000, progress=None) -> dict[str, int]:
    """Re-seal every registered column and every file under `roots` with the current key, and
    recompute the blind indexes: what `gongzhi rotate-keys` runs after the key changed."""
    from django.db import transaction

    counts = {}
    for model, column, index_column, purpose in sealed_columns():
        label = f"{model._meta.label}.{column}"
        counts[label] = 0
        last = 0
        while True:
            rows = list(model._default_manager.filter(pk__gt=last).exclude(**{column: ""}).order_by("pk")
                        .only("pk", column)[:chunk])
            if not rows:
                break
            fields = [column]
            for row in rows:
                value = unseal(getattr(row, column))
                setattr(row, column, seal(value))
                if index_column:
                    setattr(row, index_column, blind_index(value, purpose))
            if index_column:
                fields.append(index_column)
            with transaction.atomic():
                model._default_manager.bulk_update(rows, fields)
            counts[label] += len(rows)
            last = rows[-1].pk
            if progress:
                progress(label, counts[label])
    files = 0
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
            data = open_file(path.read_bytes())
            temporary = path.with_name(path.name + ".rotating")
            temporary.write_bytes(seal_file(data))
            temporary.replace(path)
            files += 1
    counts["files"] = files
    return counts
