"""Encryption at rest for provider credentials (Fernet / MultiFernet).

Keys come from settings.SIGNHUB_ENCRYPTION_KEYS, newest first. Encrypting always uses the
newest key; decrypting tries each, so rotating means: put a new key first, run
`manage.py rotate_credentials`, then drop the old key.
"""

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(("signhub-credentials:" + secret_key).encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SIGNHUB_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt_json(value: Any) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError(
            "Credentials cannot be decrypted with the configured SIGNHUB_ENCRYPTION_KEYS"
        ) from exc


def rotate_token(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


class EncryptedJSONField(models.TextField):
    """A dict stored as a Fernet token; the database never sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        return decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        return decrypt_json(value)

    def get_prep_value(self, value):
        return encrypt_json(value or {})

    def value_to_string(self, obj):
        # Serializers (dumpdata, fixtures) get the ciphertext, never the plain dict.
        return encrypt_json(self.value_from_object(obj) or {})
