"""argon2id hashing and the password policy (length, offline list of common passwords)."""

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256
# argon2-cffi's defaults follow RFC 9106's low-memory recommendation (argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that both answers take the same time.
_DUMMY_HASH = _hasher.hash("civic-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is refused, in the user's language; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Le mot de passe doit contenir au moins %(n)s caractères.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Le mot de passe doit contenir au plus %(n)s caractères.", n=MAX_LENGTH)
    lowered = password.lower()
    # A common word padded with digits or symbols is as weak as the word itself.
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    common = _common_passwords()
    if lowered in common or (len(core) >= 4 and core in common) or len(set(lowered)) <= 3:
        return _l(
            "Ce mot de passe est trop courant : choisissez-en un autre, par exemple "
            "une phrase de plusieurs mots."
        )
    if lowered.isdigit() and lowered in "01234567890123456789" * 2:
        return _l(
            "Ce mot de passe est trop courant : choisissez-en un autre, par exemple "
            "une phrase de plusieurs mots."
        )
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return _l("Le mot de passe ne doit pas contenir votre adresse e-mail.")
    return None
