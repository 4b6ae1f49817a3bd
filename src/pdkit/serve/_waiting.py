"""The "getting ready" page: what a participant who arrives before their workbook's kernels
are ready sees, instead of a page that does not answer.

A plain page (no script or style from elsewhere, a few kilobytes), in the workbook's
language: "Getting ready — 40 of 300 places ready". Its script asks the server's tiny
status address every three seconds or so (a random part spreads a room's pages) whether
the workbook can be served now, and then loads the same address again (the personal
link's ``?pdkit=…`` and every other part of it kept: no page is lost); without scripts,
it reloads itself every 10 seconds.
"""

from __future__ import annotations

import html
import json

from ..i18n import translator

__all__ = ["READY_MARK", "STATUS_PATH", "status_body", "waiting_page"]

READY_MARK = "pdkit-getting-ready"
"""The name of the page's ``<meta>``: tells the "getting ready" page from a workbook."""

STATUS_PATH = "/pdkit/ready"
"""The status address (``?notebook=goal-setting.ipynb``) the page asks."""

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;"
    "color:#1a1a1a;background:#fff;line-height:1.5}"
    "h1{font-size:1.6rem}progress{width:100%;height:1.2rem}"
)


def status_body(reason: str | None, first: int, second: int) -> str:
    """The status address's JSON: whether to wait, why (``warming``, ``full`` or null),
    and two numbers: places ready of the pool's size (``full``: kernels running of the
    most allowed)."""
    return json.dumps({"wait": reason is not None, "why": reason, "n": first, "of": second})


def waiting_page(
    reason: str, first: int, second: int, *, language: str | None, status_url: str
) -> str:
    """The page for an arrival who waits: ``reason`` ``warming`` (``first`` of
    ``second`` places ready) or ``full`` (``first`` kernels run, ``second`` at most)."""
    t = translator(language)
    lang = html.escape(language or "en", quote=True)
    if reason == "full":
        heading = t("Every place is taken right now")
        line = t("This page opens your workbook by itself as soon as a place is free.")
        count = ""
        value, maximum = second, second
    else:
        heading = t("Getting ready")
        line = t("Your workbook opens by itself in a moment: keep this page open.")
        count = t("{ready} of {total} places ready").format(ready=first, total=second)
        value, maximum = first, max(second, 1)
    title = f"{heading} — {count}" if count else heading
    label = html.escape(count or heading)
    status = json.dumps(status_url).replace("</", "<\\/")
    script = f"""(function(){{
var url={status};
function again(){{setTimeout(ask,2500+Math.random()*1500);}}
function ask(){{fetch(url,{{cache:"no-store"}}).then(function(r){{return r.json();}})
.then(function(s){{if(!s.wait){{location.reload();return;}}
var c=document.getElementById("count"),p=document.getElementById("bar");
if(s.why==="warming"){{c.textContent=c.dataset.text.replace("{{n}}",s.n).replace("{{of}}",s.of);
p.value=s.n;p.max=Math.max(s.of,1);}}again();}}).catch(again);}}
again();}})();"""
    pattern = html.escape(
        t("{ready} of {total} places ready").format(ready="{n}", total="{of}"), quote=True
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="{READY_MARK}" content="{html.escape(reason, quote=True)}">
<noscript><meta http-equiv="refresh" content="10"></noscript>
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{html.escape(heading)}</h1>
<p id="count" role="status" aria-live="polite" data-text="{pattern}">{html.escape(count)}</p>
<progress id="bar" value="{value}" max="{maximum}" aria-label="{label}"></progress>
<p>{html.escape(line)}</p>
</main>
<script>{script}</script>
</body>
</html>
"""
