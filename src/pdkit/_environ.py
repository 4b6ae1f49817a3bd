"""The environment a kernel reads, in one place: what ``pdkit serve`` (or JupyterHub) tells
every kernel it starts. The names are public through the parts that read them
(:data:`pdkit.store.STORE_ENV`, :data:`pdkit.definitions.SCHOOL_GOALS_ENV`,
:data:`pdkit.app.FACILITATOR_KEY_ENV`)."""

from __future__ import annotations

__all__ = [
    "CREDENTIAL_ISSUER_ENV",
    "CREDENTIAL_KEY_ENV",
    "DEFINITIONS_CHECKED_ENV",
    "DEFINITIONS_PARSED_ENV",
    "FACILITATOR_KEY_ENV",
    "HUB_EMAIL_ENV",
    "HUB_USER_ENV",
    "LOOK_FORS_ENV",
    "MICRO_CREDENTIALS_ENV",
    "PAGE_STYLE_ENV",
    "PATHWAYS_ENV",
    "SCHOOL_GOALS_ENV",
    "STORE_ENV",
]

STORE_ENV = "PDKIT_STORE"
"""The store's URL (``pdkit serve --store``)."""

SCHOOL_GOALS_ENV = "PDKIT_SCHOOL_GOALS"
"""A YAML or CSV file of the default session's school goals (``--school-goals``)."""

LOOK_FORS_ENV = "PDKIT_LOOK_FORS"
"""A YAML file of the district's look-fors offered on the observation page (``--look-fors``)."""

DEFINITIONS_CHECKED_ENV = "PDKIT_DEFINITIONS_CHECKED"
"""The digests of the definition texts that ``pdkit serve`` checked against the schema
before it started (space-separated): its kernels build those without checking them
again (see :mod:`pdkit.definitions._schema`); any other text is checked as always."""

DEFINITIONS_PARSED_ENV = "PDKIT_DEFINITIONS_PARSED"
"""A folder where ``pdkit serve`` wrote the data of every definition text it parsed
before it started (``<digest>.json``): its kernels take a text's data from there instead of
parsing its YAML (see :mod:`pdkit.definitions._parsed`)."""

PAGE_STYLE_ENV = "PDKIT_PAGE_STYLE"
"""``template`` when the pages come with pdkit's style sheet (``pdkit serve`` with pdkit's
Voilà template, which has it in the page): the kernels then send no copy of it."""

PATHWAYS_ENV = "PDKIT_PATHWAYS"
"""A folder (or one YAML file) of the district's pathways offered on "My goal" (``--pathways``)."""
MICRO_CREDENTIALS_ENV = "PDKIT_MICRO_CREDENTIALS"
"""A folder of the district's ``kind: micro-credential`` YAML files (``--micro-credentials``;
default: pdkit's examples)."""

CREDENTIAL_ISSUER_ENV = "PDKIT_CREDENTIAL_ISSUER"
"""The issuer profile of credentials, as JSON: ``{"name": …, "url": …, "email": …}``
(``--issuer-name``, ``--issuer-url``, ``--issuer-email``)."""

CREDENTIAL_KEY_ENV = "PDKIT_CREDENTIAL_KEY"
"""The private key credentials are signed with (``--credential-key``; made by ``pdkit
credential keygen``). Without it an award is kept, and its credential issued later."""

FACILITATOR_KEY_ENV = "PDKIT_FACILITATOR_KEY"
"""The key in the default session's facilitator link (``--facilitator-key``)."""

HUB_USER_ENV = "JUPYTERHUB_USER"
"""Set by JupyterHub: the hub user running the kernel is the participant."""

HUB_EMAIL_ENV = "PDKIT_HUB_EMAIL"
"""The hub user's email address, when the hub passes it on (JupyterHub itself does not:
an ``auth_state_hook`` can set it from the login's ``auth_state``). It is offered in the
box for check-in reminders, which the teacher saves to consent."""
