"""Portable credentials: an award as an Open Badges 3.0 ``OpenBadgeCredential``, signed
as a VC-JWT, and checked again.

:func:`open_badge` builds the credential in the W3C Verifiable Credentials data model
2.0 shape that Open Badges 3.0 uses (``@context``, ``type``, the issuer's profile from
the district's config, ``validFrom``, ``credentialSubject`` with its ``achievement``
and ``evidence`` that names the items the teacher included, never student data).
:func:`sign` makes it a Compact JWS (the OB 3.0 "VC-JWT" proof: the credential is the
JWT payload, with ``iss``, ``jti``, ``nbf`` and ``sub``; the header carries the public
key as ``jwk``), signed ES256 with the district's key; :func:`verify` checks the
signature (against the district's public key when given) and that the claims agree with
the credential, and says who, what and when. :func:`generate_keys` writes a key pair
(the private key readable by its owner only).

JOSE comes from ``joserfc``, imported only here and only when a credential is signed or
checked (never on a participant's start-up path).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .credentials import SubmissionItem
from .definitions import CredentialDefinition
from .errors import CredentialError
from .i18n import N_

__all__ = [
    "ALGORITHM",
    "OB_CONTEXT",
    "VC_CONTEXT",
    "Issuer",
    "Verified",
    "generate_keys",
    "load_private_key",
    "open_badge",
    "sign",
    "subject_id",
    "verify",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ALGORITHM = "ES256"
"""The JWS algorithm pdkit signs with (ECDSA on P-256 with SHA-256)."""

PRIVATE_KEY_FILE = "credential-key.pem"
PUBLIC_KEY_FILE = "credential-key.pub.pem"
MAX_TOKEN_CHARS = 1_000_000
"""A credential file larger than this is refused before it is parsed."""


@dataclass(frozen=True)
class Issuer:
    """The district that issues credentials (its profile in each credential): a name, a
    web address (the issuer's id) and a contact email (optional)."""

    name: str
    url: str
    email: str = ""

    def profile(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.url, "type": ["Profile"], "name": self.name}
        if self.email:
            found["email"] = self.email
        return found


@dataclass(frozen=True)
class Verified:
    """What a credential that verified says: who earned what, from whom and when."""

    subject: str
    subject_name: str
    achievement: str
    issuer: str
    valid_from: str
    credential: dict[str, Any]


def subject_id(issuer: Issuer, participant_id: str) -> str:
    """The teacher's id in credentials from ``issuer``: a URN derived from the
    issuer's address and the participant's pseudonymous id (stable, not the name)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer.url}#{participant_id}')}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def open_badge(
    definition: CredentialDefinition,
    *,
    issuer: Issuer,
    participant_id: str,
    name: str,
    items: Iterable[SubmissionItem],
    awarded_at: datetime,
    credential_id: str | None = None,
) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` of an award (unsigned). ``items`` are those of the
    awarded version: an item that holds student data is left out of the evidence."""
    base = issuer.url.rstrip("/")
    achievement: dict[str, Any] = {
        "id": f"{base}/micro-credentials/{definition.id}/v{definition.version}",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": definition.title,
        "description": f"{definition.competency}. {definition.key_method}.".replace("..", "."),
        "criteria": {"narrative": criteria_narrative(definition)},
    }
    evidence = [
        {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}#{participant_id}#{i.ref}')}",
            "type": ["Evidence"],
            "name": i.title[:300],
            "description": f"{i.kind.replace('_', ' ')} for '{i.requirement}'",
            **({"narrative": i.text[:2000]} if i.text else {}),
        }
        for i in items
        if not i.student_data
    ]
    found: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": definition.title,
        "issuer": issuer.profile(),
        "validFrom": _stamp(awarded_at),
        "credentialSubject": {
            "id": subject_id(issuer, participant_id),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": achievement,
        },
    }
    if evidence:
        found["evidence"] = evidence
    return found


def criteria_narrative(definition: CredentialDefinition) -> str:
    """What earns the credential, in Markdown: the evidence asked for and the rubric's bar."""
    lines = [f"Competency: {definition.competency}", "", "Evidence submitted:"]
    lines += [f"- {r.text} ({r.min} × {r.item.replace('_', ' ')})" for r in definition.requirements]
    passing = next(lv.label for lv in definition.levels if lv.id == definition.pass_level)
    lines += ["", f"Assessed with a rubric; every criterion at '{passing}' or above:"]
    lines += [f"- {c.text}" for c in definition.criteria]
    return "\n".join(lines)


# --------------------------------------------------------------------------- keys


def _jose() -> Any:
    try:
        from joserfc import jwk, jws
    except ImportError as exc:  # a dependency of pdkit; only a broken install lacks it
        from .errors import MissingDependencyError

        raise MissingDependencyError(
            N_("signing credentials needs joserfc: pip install joserfc"), package="joserfc"
        ) from exc
    return jws, jwk


def generate_keys(folder: Path) -> tuple[Path, Path]:
    """Write a new ES256 key pair into ``folder`` (created if needed): the private key
    readable by its owner only (mode 0600), and the public key to give verifiers. An
    existing key is never overwritten."""
    _, jwk = _jose()
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / PRIVATE_KEY_FILE, folder / PUBLIC_KEY_FILE
    if private.exists() or public.exists():
        raise CredentialError(
            N_(
                "{private} or {public} already exists: pdkit never overwrites a key "
                "(credentials already issued are verified with it); choose another folder"
            ),
            private=private,
            public=public,
        )
    key = jwk.ECKey.generate_key("P-256", private=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.as_pem(private=True))
    private.chmod(0o600)  # whatever the umask
    public.write_bytes(key.as_pem(private=False))
    return private, public


def _load_key(path: Path, *, private: bool) -> Any:
    _, jwk = _jose()
    try:
        data = path.read_bytes()[:100_000]
    except OSError as exc:
        raise CredentialError(
            N_("cannot read the key {key}: {reason}"), key=path, reason=exc.strerror
        ) from None
    try:
        key = jwk.ECKey.import_key(data)
    except Exception:  # joserfc raises several kinds for a file that is no key
        raise CredentialError(
            N_("{key} is not an EC key in PEM form (make one: pdkit credential keygen)"),
            key=path,
        ) from None
    if private and not key.is_private:
        raise CredentialError(N_("{key} is a public key: signing needs the private key"), key=path)
    return key


def load_private_key(path: Path) -> Any:
    """The signing key in ``path`` (:class:`CredentialError` when it is none)."""
    return _load_key(path, private=True)


def sign(credential: Mapping[str, Any], private_key: Path) -> str:
    """The credential as a Compact JWS (a VC-JWT), signed with the key in ``private_key``."""
    jws, _ = _jose()
    key = _load_key(private_key, private=True)
    payload = dict(credential)
    payload.update(
        iss=credential["issuer"]["id"],
        jti=credential["id"],
        nbf=int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp()),
        sub=credential["credentialSubject"]["id"],
    )
    header = {"alg": ALGORITHM, "typ": "JWT", "jwk": key.as_dict(private=False)}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    token: str = jws.serialize_compact(header, body, key, algorithms=[ALGORITHM])
    return token


_CLAIMS = ("iss", "jti", "nbf", "sub")


def verify(token: str, public_key: Path | None = None) -> Verified:
    """Check a VC-JWT: its signature (with ``public_key``, the district's, when given;
    else with the key its header carries), and that its claims agree with the
    credential inside. :class:`CredentialError` says what failed."""
    jws, jwk = _jose()
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise CredentialError(
            N_("not a signed credential (a compact JWS has three parts joined by '.')")
        )
    try:
        header = json.loads(_b64(token.split(".")[0]))
        embedded = (
            jwk.ECKey.import_key(header["jwk"]) if isinstance(header.get("jwk"), dict) else None
        )
    except Exception:
        raise CredentialError(N_("the credential's header cannot be read")) from None
    if header.get("alg") != ALGORITHM:
        raise CredentialError(
            N_("the credential is signed with {alg!r}, not {algorithm}"),
            alg=header.get("alg"),
            algorithm=ALGORITHM,
        )
    key = _load_key(public_key, private=False) if public_key is not None else embedded
    if key is None:
        raise CredentialError(
            N_("the credential carries no public key: give the district's with --key")
        )
    if (
        public_key is not None
        and embedded is not None
        and embedded.thumbprint() != key.thumbprint()
    ):
        raise CredentialError(N_("the credential was signed with another key than the district's"))
    try:
        found = jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
        payload = json.loads(found.payload)
    except Exception:
        raise CredentialError(
            N_("the signature does not match: the credential was changed after it was signed")
        ) from None
    try:
        expected = {
            "iss": payload["issuer"]["id"],
            "jti": payload["id"],
            "nbf": int(
                datetime.fromisoformat(payload["validFrom"].replace("Z", "+00:00")).timestamp()
            ),
            "sub": payload["credentialSubject"]["id"],
        }
        if "OpenBadgeCredential" not in payload["type"]:
            raise CredentialError(N_("the signed payload is not an OpenBadgeCredential"))
        for claim in _CLAIMS:
            if payload.get(claim) != expected[claim]:
                raise CredentialError(
                    N_("the claim {claim!r} does not agree with the credential"), claim=claim
                )
        names = [
            str(i.get("identityHash", ""))
            for i in payload["credentialSubject"].get("identifier", [])
            if i.get("identityType") == "name" and not i.get("hashed")
        ]
        credential = {k: v for k, v in payload.items() if k not in _CLAIMS}
        return Verified(
            subject=expected["sub"],
            subject_name=names[0] if names else "",
            achievement=str(payload["credentialSubject"]["achievement"]["name"]),
            issuer=str(payload["issuer"].get("name", expected["iss"])),
            valid_from=str(payload["validFrom"]),
            credential=credential,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise CredentialError(
            N_("the signed payload is not an Open Badges 3.0 credential")
        ) from None


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
