"""Observations on the teacher's "My goal" page: whom they invite to observe them, and
the observations of their teaching.

The teacher invites a colleague from their sessions (the invitation shows that colleague
their goal's look-fors: the goal, point B, the action steps) and may withdraw it at any
time. Each observation they received is listed newest first (observer, day, goal version)
with a "Share with my coach" choice: as my goal is shared (the default), share with my
coach, or keep it to myself. Every read names the teacher as the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..errors import PdkitError
from ..i18n import N_, translator
from ..observations import SHARES
from ..store import Observation, Store, display_names
from ._lean import HTML, HBox, VBox
from ._observations_html import observation_html

__all__ = ["ObservationsPanel"]

_SHARE_WORDS = {
    "goal": N_("As my goal is shared"),
    "coach": N_("Share with my coach"),
    "private": N_("Keep it to myself"),
}


class ObservationsPanel:
    """A teacher's observations and invitations (see the module docs). ``observe_link``
    is the address of the observation page (shown when the teacher may observe someone)."""

    def __init__(
        self,
        store: Store,
        teacher_id: str,
        *,
        language: str | None = None,
        observe_link: Callable[[], str] = lambda: "",
    ) -> None:
        self.store = store
        self.pid = teacher_id
        self.t = t = translator(language)
        self.observe_link = observe_link
        self.found: list[Observation] = []
        self._seen: tuple[object, ...] | None = None
        self.shares: dict[str, w.Dropdown] = {}
        self.colleague = w.Dropdown(
            description=t("Invite a colleague to observe me"),
            style={"description_width": "initial"},
        )
        self.invite_button = w.Button(description=t("Invite"), icon="user-plus")
        self.invite_button.on_click(lambda _: self.invite())
        self.invited_box = VBox(layout=w.Layout())
        self.message = HTML()
        self.list_box = VBox(layout=w.Layout())
        self.link_html = HTML()
        self.widget = VBox(
            [
                HTML(value=f"<h2>{escape(t('Observations of my teaching'))}</h2>"),
                self.list_box,
                HTML(
                    value='<p class="pdkit-hint">'
                    + escape(
                        t(
                            "A colleague you invite sees your goal, point B and action steps "
                            "as what to look for, and may observe you until you withdraw the "
                            "invitation. Their notes are yours."
                        )
                    )
                    + "</p>"
                ),
                HBox([self.colleague, self.invite_button]),
                self.invited_box,
                self.message,
                self.link_html,
            ]
        )
        self.widget.add_class("pdkit-observations")
        self._colleagues()
        self.refresh()

    def _colleagues(self) -> None:
        try:
            found = self.store.observation_colleagues(self.pid, viewer=self.pid)
        except PdkitError:
            found = []
        self.colleague.options = [(p.display_name, p.id) for p in found]
        self.colleague.value = found[0].id if found else None
        self.invite_button.disabled = not found

    # ------------------------------------------------------------------ reading

    def refresh(self) -> bool:
        """Read the observations and invitations again; redraw what changed."""
        try:
            found = self.store.observations_of(self.pid, viewer=self.pid)
            invited = self.store.invitations(self.pid, viewer=self.pid)
            observable = self.store.observable(self.pid, viewer=self.pid)
        except PdkitError:
            return False
        key = (
            tuple((o.id, o.share, o.sent_at) for o in found),
            tuple(i.peer for i in invited),
            tuple(observable),
        )
        if key == self._seen:
            return False
        self._seen = key
        self.found = found
        self._draw_list()
        self._draw_invited([i.peer for i in invited])
        link = self.observe_link()
        if observable and link:
            said = escape(self.t("Observe a colleague who invited you"))
            self.link_html.value = (
                f'<p><a class="pdkit-observe-link" href="{escape(link, quote=True)}">{said}</a></p>'
            )
        else:
            self.link_html.value = ""
        return True

    def _draw_list(self) -> None:
        t = self.t
        if not self.found:
            self.list_box.children = [
                HTML(value=f'<p class="pdkit-empty">{escape(t("No observations yet."))}</p>')
            ]
            return
        names = display_names(self.store, {o.observer for o in self.found})
        rows: list[w.Widget] = []
        self.shares = {}
        for obs in self.found:
            share = w.Dropdown(
                options=[(t(_SHARE_WORDS[s]), s) for s in SHARES],
                value=obs.share,
                description=t("Share with my coach"),
                style={"description_width": "initial"},
            )
            share.observe(lambda change, oid=obs.id: self.share(oid, change["new"]), "value")
            self.shares[obs.id] = share
            rows.append(VBox([HTML(value=observation_html(obs, names, t)), share]))
        self.list_box.children = rows

    def _draw_invited(self, peers: list[str]) -> None:
        t = self.t
        names = display_names(self.store, peers)
        rows: list[w.Widget] = []
        for peer in peers:
            button = w.Button(
                description=t("Withdraw {name}'s invitation").format(name=names[peer]),
                icon="user-times",
                layout=w.Layout(width="auto"),
            )
            button.on_click(lambda _, p=peer: self.withdraw(p))
            said = escape(t("{name} may observe you.").format(name=names[peer]))
            rows.append(HBox([HTML(value=f'<p class="pdkit-invited">{said}</p>'), button]))
        self.invited_box.children = rows

    # ------------------------------------------------------------------ actions

    def invite(self, peer_id: str | None = None) -> bool:
        """Invite the colleague chosen (or ``peer_id``) to observe the teacher."""
        peer = peer_id or self.colleague.value
        if not peer:
            return False
        try:
            self.store.invite_observer(self.pid, peer)
        except PdkitError as exc:
            self._say(str(exc), "error")
            return False
        name = display_names(self.store, [peer])[peer]
        self._say(self.t("{name} may observe you now.").format(name=name), "ok")
        self.refresh()
        return True

    def withdraw(self, peer_id: str) -> bool:
        """Withdraw a colleague's invitation."""
        try:
            self.store.withdraw_invitation(self.pid, peer_id)
        except PdkitError as exc:
            self._say(str(exc), "error")
            return False
        name = display_names(self.store, [peer_id])[peer_id]
        self._say(self.t("{name} may no longer observe you.").format(name=name), "ok")
        self.refresh()
        return True

    def share(self, observation_id: str, level: str) -> bool:
        """Share one observation with the coach, keep it private, or follow the goal."""
        try:
            self.store.share_observation(observation_id, level, by=self.pid)
        except PdkitError as exc:
            self._say(str(exc), "error")
            return False
        self._say(self.t("Saved: {what}.").format(what=self.t(_SHARE_WORDS[level])), "ok")
        return True

    def _say(self, text: str, kind: str) -> None:
        role = "alert" if kind == "error" else "status"
        self.message.value = f'<p class="pdkit-{kind}" role="{role}">{escape(text)}</p>'
