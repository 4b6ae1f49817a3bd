"""``pdkit hub-service``: the store of a JupyterHub, served to the hub's users
(:mod:`pdkit.serve.hub_service`); JupyterHub starts it (``c.JupyterHub.services``)."""

from __future__ import annotations

import argparse

from ._common import Commands
from ._words import t

__all__ = ["add"]


def add(commands: Commands) -> None:
    """Add ``pdkit hub-service`` to ``pdkit``."""
    hub = commands.add_parser(
        "hub-service",
        help=t("serve the store to a JupyterHub's users, as a hub service (started by the hub)"),
        description=t(
            "The only holder of the store on a JupyterHub: teachers' servers open "
            "pdkit-hub://…/services/<name>/ and each call is answered for the hub user whose "
            "token it carries. Started by JupyterHub as a managed service (see "
            "docs/deploy-jupyterhub.md), which sets the JUPYTERHUB_* variables it reads."
        ),
    )
    hub.add_argument(
        "--store",
        default=None,
        help=t(
            "the store: a SQLite path or URL, or postgresql://… (default: $PDKIT_STORE, "
            "else the file in your data folder)"
        ),
    )
    hub.add_argument(
        "--facilitators-group",
        default=None,
        metavar="GROUP",
        help=t("the hub group whose members are facilitators (default: pdkit-facilitators)"),
    )
    hub.add_argument(
        "--coaches-group",
        default=None,
        metavar="GROUP",
        help=t("the hub group whose members are coaches (default: pdkit-coaches)"),
    )
    hub.add_argument(
        "--port", type=int, default=None, help=t("the port (default: $JUPYTERHUB_SERVICE_URL's)")
    )
    hub.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from ..serve.hub_service import COACHES_GROUP, FACILITATORS_GROUP, main_from_env
    from ..store import open_store

    store = open_store(args.store)
    try:
        main_from_env(
            store,
            facilitators=args.facilitators_group or FACILITATORS_GROUP,
            coaches=args.coaches_group or COACHES_GROUP,
            port=args.port,
        )
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    return 0
