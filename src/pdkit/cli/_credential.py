"""``pdkit credential``: the district's signing key (``keygen``) and checking an issued
Open Badges 3.0 credential (``verify``) (:mod:`pdkit.badges`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import PdkitError
from ..i18n import N_
from ._common import Commands
from ._words import t

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add ``pdkit credential`` to ``pdkit``."""
    credential = commands.add_parser(
        "credential",
        help=t("micro-credentials: make the district's signing key, verify an issued credential"),
        description=t(
            "Open Badges 3.0 credentials that pdkit issues when an assessor awards "
            "a micro-credential, signed as a VC-JWT (ES256) with the district's key."
        ),
    )
    actions = credential.add_subparsers(dest="action", metavar="ACTION", required=True)
    keygen = actions.add_parser(
        "keygen",
        help=t("write a new signing key pair"),
        description=t(
            "Write credential-key.pem (the private key, readable by you only: "
            "keep it out of any repository) and credential-key.pub.pem (give it to "
            "verifiers) into --out. Name the private key in the serve config "
            "(credentials.key). An existing key is never overwritten."
        ),
    )
    keygen.add_argument("--out", type=Path, required=True, metavar="DIR", help=t("the folder"))
    keygen.set_defaults(run=_keygen)
    verify = actions.add_parser(
        "verify",
        help=t("check an issued credential and say who earned what, from whom, when"),
        description=t(
            "Check the signature of a credential file (the .jwt a teacher "
            "downloads) and that its claims agree with the credential. Exits 1 when it fails "
            "(changed after signing, signed with another key, not a credential)."
        ),
    )
    verify.add_argument("file", type=Path, help=t("the credential (.jwt)"))
    verify.add_argument(
        "--key",
        type=Path,
        default=None,
        metavar="PUB",
        help=t(
            "the district's public key (credential-key.pub.pem); without it the key the "
            "credential carries is used, which proves it unchanged but not who signed it"
        ),
    )
    verify.set_defaults(run=_verify)


def _keygen(args: argparse.Namespace) -> int:
    from ..badges import generate_keys

    private, public = generate_keys(args.out)
    said = t("pdkit: wrote {private} (private: keep it secret, mode 0600) and {public} (public)")
    print(said.format(private=private, public=public))
    return 0


def _verify(args: argparse.Namespace) -> int:
    import sys

    from ..badges import MAX_TOKEN_CHARS, verify
    from ..errors import CredentialError

    try:
        with args.file.open("rb") as given:
            raw = given.read(MAX_TOKEN_CHARS + 1)
    except OSError as exc:
        raise PdkitError(
            N_("cannot read {given}: {reason}"), given=args.file, reason=exc.strerror or exc
        ) from None
    try:
        found = verify(raw.decode("utf-8", "replace"), args.key)
    except CredentialError as exc:
        print(t("pdkit: NOT VERIFIED: {reason}").format(reason=exc.said(t)), file=sys.stderr)
        return 1
    who = f"{found.subject_name} ({found.subject})" if found.subject_name else found.subject
    print(t("verified: {file}").format(file=args.file))
    said = (
        (t("who:"), who),
        (t("what:"), found.achievement),
        (t("from:"), found.issuer),
        (t("when:"), found.valid_from),
    )
    width = max(len(label) for label, _ in said)
    for label, value in said:
        print(f"{label:<{width}} {value}")
    if args.key is None:
        print(
            t(
                "note: checked with the key the credential carries; "
                "give --key to check it is the district's"
            )
        )
    return 0
