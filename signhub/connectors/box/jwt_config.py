"""Box JWT (server authentication) from the app's config JSON.

The config file the Box Developer Console downloads ("Generate a public/private keypair")
has `boxAppSettings.clientID`, `clientSecret`, `appAuth.publicKeyID`, `appAuth.privateKey`
(an encrypted PKCS#8 PEM) and `appAuth.passphrase`, plus `enterpriseID` (and `userID` for
an app user) — the fields box-sdk-gen's `JWTConfig.from_config_json_string` reads. The
assertion is RS256-signed with PyJWT (through cryptography): header `kid` = publicKeyID;
claims `iss` (client id), `sub` (enterprise or user id), `box_sub_type`, `aud` (the token
endpoint), a random `jti` and `exp` at most 60 s ahead (Box refuses more).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

AUDIENCE = "https://api.box.com/oauth2/token"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME = 45  # seconds; Box accepts at most 60


class JwtConfigError(ValueError):
    """The JWT config cannot be used, in words an administrator can act on."""


@dataclass(frozen=True)
class JwtConfig:
    client_id: str
    client_secret: str
    key_id: str
    private_key: str
    passphrase: str
    enterprise_id: str
    user_id: str

    @classmethod
    def parse(cls, text: str | dict) -> JwtConfig:
        try:
            data = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            raise JwtConfigError(
                "The JWT config is not JSON: paste the whole file Box generated."
            ) from None
        settings = data.get("boxAppSettings") if isinstance(data, dict) else None
        auth = settings.get("appAuth") if isinstance(settings, dict) else None
        if not isinstance(auth, dict):
            raise JwtConfigError("The JWT config has no boxAppSettings.appAuth section.")
        values = {
            "client_id": settings.get("clientID"),
            "client_secret": settings.get("clientSecret"),
            "key_id": auth.get("publicKeyID"),
            "private_key": auth.get("privateKey"),
        }
        missing = [k for k, v in values.items() if not isinstance(v, str) or not v]
        if missing:
            raise JwtConfigError(f"The JWT config lacks {', '.join(missing)}.")
        return cls(
            passphrase=str(auth.get("passphrase") or ""),
            enterprise_id=str(data.get("enterpriseID") or ""),
            user_id=str(data.get("userID") or ""),
            **values,
        )

    def load_key(self) -> Any:
        password = self.passphrase.encode() if self.passphrase else None
        try:
            return load_pem_private_key(self.private_key.encode(), password=password)
        except TypeError:
            raise JwtConfigError(
                "The private key is encrypted but the config has no passphrase."
            ) from None
        except ValueError:
            raise JwtConfigError(
                "The private key cannot be read: a wrong passphrase, or not a PEM private key."
            ) from None

    def subject(self) -> tuple[str, str]:
        """The config's own subject: its enterprise (service account), else its user."""
        if self.enterprise_id:
            return "enterprise", self.enterprise_id
        if self.user_id:
            return "user", self.user_id
        return "", ""

    def assertion(self, subject_type: str, subject_id: str, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "iss": self.client_id,
            "sub": subject_id,
            "box_sub_type": subject_type,
            "aud": AUDIENCE,
            "jti": secrets.token_urlsafe(48),  # 64 characters; Box wants 16-128
            "iat": issued,
            "exp": issued + LIFETIME,
        }
        return jwt.encode(claims, self.load_key(), algorithm="RS256", headers={"kid": self.key_id})
