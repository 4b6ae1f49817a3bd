// Keeps what a participant types in this browser until the store has it
// (pdkit.widgets.Safekeeper), and says at once when the page has lost its kernel or the
// server. Each input pdkit protects carries a class "pdkit-keep:<key>"; the kernel
// acknowledges a key's value once the store holds it, and on a new page the kernel
// applies what is still pending.
const CLASS = "pdkit-keep:";
const SYNC = "pdkit-sync:";
const VIA = "pdkit-via:";
const STORE = "pdkit:pending:";
const LOST = new Set(["dead", "restarting", "autorestarting"]);

// The element around ``target`` (itself included) that matches ``selector``, or null.
function around(target, selector) {
  return target && target.closest ? target.closest(selector) : null;
}

function keyOf(target) {
  const host = around(target, `[class*="${CLASS}"]`);
  if (!host) return null;
  const token = [...host.classList].find((c) => c.startsWith(CLASS));
  return token ? token.slice(CLASS.length) : null;
}

function inputOf(key) {
  for (const host of document.querySelectorAll(`[class*="${CLASS}"]`)) {
    if (host.classList.contains(CLASS + key)) return host.querySelector("input, textarea");
  }
  return null;
}

export default {
  render({ model, el }) {
    el.classList.add("pdkit-safekeeper");
    const banner = document.createElement("div");
    banner.className = "pdkit-lost";
    banner.hidden = true;
    // On the page's body: inside Voilà's panels (CSS containment) "fixed" would scroll away.
    document.body.appendChild(banner);
    const owner = () => model.get("owner");
    const texts = () => model.get("texts") || {};
    const read = () => {
      try {
        return JSON.parse(window.localStorage.getItem(STORE + owner()) || "{}");
      } catch (err) {
        return {};
      }
    };
    const write = (pending) => {
      try {
        if (Object.keys(pending).length) {
          window.localStorage.setItem(STORE + owner(), JSON.stringify(pending));
        } else {
          window.localStorage.removeItem(STORE + owner());
        }
      } catch (err) {
        /* storage full or blocked: the kernel still saves what it receives */
      }
    };
    let lost = false;
    let unackedSince = 0; // the first typing the kernel has not acknowledged since
    let pingSent = 0;
    let lastPong = Date.now();
    const restored = new Set(); // the scopes whose kept typing went back to the kernel

    let silent = false; // lost only because the kernel was slow to answer: may come back
    const buttons = () => document.querySelectorAll(".pdkit-footer button");
    const show = (why) => {
      if (lost) {
        if (silent && why !== "silent") {
          silent = false; // now known for sure
          banner.dataset.why = why;
        }
        return;
      }
      lost = true;
      silent = why === "silent";
      const t = texts();
      banner.hidden = false;
      banner.setAttribute("role", "alert");
      banner.innerHTML = "";
      const title = document.createElement("strong");
      title.textContent = t.title || "The connection to the workshop is lost.";
      const body = document.createElement("p");
      body.textContent = t.body || "";
      const back = document.createElement("p");
      back.className = "pdkit-lost-back";
      const reload = document.createElement("button");
      reload.type = "button";
      reload.className = "pdkit-reload";
      reload.textContent = t.reload || "Reload the page";
      reload.addEventListener("click", () => window.location.reload());
      banner.append(title, body, back, reload);
      banner.dataset.why = why;
      document.body.classList.add("pdkit-offline");
      for (const status of document.querySelectorAll(".pdkit-footer .pdkit-status")) {
        status.textContent = t.cannot_save || "Cannot save now: kept in this browser.";
        status.className = "pdkit-status pdkit-status-error";
      }
      for (const button of buttons()) {
        if (!button.disabled) {
          button.disabled = true;
          button.dataset.pdkitOffline = "1";
        }
      }
      // Is the server there again? A HEAD request starts nothing (the page's handler
      // answers 405); a proxy whose server is down answers 5xx, a network error throws.
      const probe = async () => {
        if (!lost || silent) return;
        try {
          const answer = await fetch(window.location.href, { method: "HEAD", cache: "no-store" });
          if (answer.ok || answer.status === 405) {
            back.textContent = t.back || "";
            return;
          }
        } catch (err) {
          /* still down */
        }
        setTimeout(probe, 3000);
      };
      setTimeout(probe, 1000);
    };
    // The kernel answered after all (it was busy): the page works again.
    const recover = () => {
      if (!lost || !silent) return;
      lost = false;
      silent = false;
      banner.hidden = true;
      banner.removeAttribute("role");
      banner.innerHTML = "";
      document.body.classList.remove("pdkit-offline");
      for (const button of buttons()) {
        if (button.dataset.pdkitOffline) {
          button.disabled = false;
          delete button.dataset.pdkitOffline;
        }
      }
      model.send({ kind: "resume" }); // the forms save now, and say so
    };

    // What the store held when typing in an input began (its "base"): on a later page,
    // kept typing is applied only if the store still holds that, so text kept here
    // never overwrites a newer answer saved from another device.
    const baseline = {};
    const onFocus = (event) => {
      const key = keyOf(event.target);
      if (key !== null && !(key in baseline) && !(key in read())) {
        baseline[key] = event.target.value;
      }
    };
    const onInput = (event) => {
      if (!owner()) return;
      const key = keyOf(event.target);
      if (key === null) return;
      const pending = read();
      const base = pending[key] ? pending[key].base : key in baseline ? baseline[key] : null;
      pending[key] = { value: event.target.value, base, at: Date.now() };
      write(pending);
      if (!unackedSince) unackedSince = Date.now();
    };
    document.addEventListener("focusin", onFocus, true);
    document.addEventListener("input", onInput, true);
    // A button's click goes to the kernel at once, while ipywidgets may still hold back a
    // text box's latest value: just before the click, the kernel gets what every kept
    // input (once someone is signed in) and every synced one (the sign-in's boxes, never
    // kept) shows. This listener runs first, and the messages arrive in order.
    const shown = (prefix, limit) => {
      const found = {};
      let count = 0;
      for (const host of document.querySelectorAll(`[class*="${prefix}"]`)) {
        const token = [...host.classList].find((c) => c.startsWith(prefix));
        const input = host.querySelector("input, textarea");
        if (!token || !input || (input.type && !/^(text|textarea|search|url|email)$/.test(input.type))) continue;
        found[token.slice(prefix.length)] = input.value;
        if (++count >= limit) break;
      }
      return found;
    };
    // A button marked "pdkit-via:<key>" (Join) is clicked through this message alone:
    // what the boxes show, the click, and the page's report of who it is when the
    // sign-in left it for Join (a newcomer's page) go to the kernel as one message, and
    // the button's own click message is not sent. Less for the server to relay when a
    // room joins at once.
    const onClick = (event) => {
      if (lost) return;
      const button = around(event.target, "button");
      if (!button || button.disabled || banner.contains(button)) return;
      const items = { ...(owner() ? shown(CLASS, 500) : {}), ...shown(SYNC, 20) };
      const via = [...button.classList].find((c) => c.startsWith(VIA));
      if (via) {
        event.stopPropagation();
        const message = { kind: "typed", items, click: via.slice(VIA.length) };
        const reporter = document.querySelector(".pdkit-report-at-join[data-pdkit-report]");
        if (reporter) {
          try {
            message.report = JSON.parse(reporter.dataset.pdkitReport);
          } catch (err) {
            /* not ours to mend: the kernel joins without it */
          }
        }
        model.send(message);
      } else if (Object.keys(items).length) {
        model.send({ kind: "typed", items });
      }
    };
    document.addEventListener("click", onClick, true);
    // A synced box's text goes with the next click (above), not when the box is left:
    // one message at Join instead of one more for the name.
    const onChange = (event) => {
      if (around(event.target, `[class*="${SYNC}"]`) && !lost) event.stopPropagation();
    };
    document.addEventListener("change", onChange, true);
    // Enter in a synced box (the join step's name or code) clicks the nearest button that
    // goes through this keeper (Join), as Enter submits a form; not the box's own message.
    const onKey = (event) => {
      if (event.key !== "Enter" || event.isComposing || lost) return;
      const host = around(event.target, `[class*="${SYNC}"]`);
      let button = null;
      for (let box = host && host.parentElement; box && !button; box = box.parentElement) {
        button = box.querySelector(`button[class*="${VIA}"]`);
      }
      if (!button || button.disabled) return;
      event.preventDefault();
      event.stopPropagation();
      button.click();
    };
    document.addEventListener("keydown", onKey, true);

    const onMessage = (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.kind === "saved") {
        const pending = read();
        for (const [key, value] of Object.entries(msg.items || {})) {
          const shown = inputOf(key);
          const now = shown ? shown.value : pending[key] && pending[key].value;
          if (pending[key] && now === value) delete pending[key];
          // Typing went on after what was saved: it continues from what the store holds
          // now, so a later page must not take the store's value for a newer answer.
          else if (pending[key]) pending[key].base = value;
          baseline[key] = value; // what the store holds now
        }
        write(pending);
        unackedSince = 0;
      } else if (msg.kind === "ready") {
        if (!owner()) return;
        const scopes = (msg.scopes || []).filter((scope) => !restored.has(scope));
        if (!scopes.length) return;
        scopes.forEach((scope) => restored.add(scope));
        const pending = read();
        const items = {};
        for (const [key, kept] of Object.entries(pending)) {
          if (scopes.some((scope) => key.startsWith(scope + ":"))) items[key] = { value: kept.value, base: kept.base };
        }
        if (Object.keys(items).length) model.send({ kind: "restore", items }); // else: nothing to do
      } else if (msg.kind === "forget") {
        const pending = read();
        for (const key of msg.keys || []) delete pending[key];
        write(pending);
      } else if (msg.kind === "pong") {
        lastPong = Date.now();
        pingSent = 0;
        unackedSince = 0;
        recover();
      }
    };
    model.on("msg:custom", onMessage);
    // Forms are built for someone signed in: before that there is nothing to restore,
    // and the kernel says "ready" to this page when there is.
    if (owner()) model.send({ kind: "hello" });

    const kernel = model.widget_manager && model.widget_manager.kernel;
    const onConnection = (_sender, status) => {
      if (status !== "connected") show("server");
    };
    const onStatus = (_sender, status) => {
      if (LOST.has(status)) show("kernel");
    };
    if (kernel && kernel.connectionStatusChanged) kernel.connectionStatusChanged.connect(onConnection);
    if (kernel && kernel.statusChanged) kernel.statusChanged.connect(onStatus);

    // A watchdog for what the kernel's signals miss: typed text the store has not
    // acknowledged for a while, or a long silence, asks the kernel for an answer.
    const ping = () => {
      pingSent = Date.now();
      try {
        model.send({ kind: "ping" });
      } catch (err) {
        show("kernel");
      }
    };
    const timer = setInterval(() => {
      if (lost && !silent) return;
      if (lost) {
        if (Date.now() - pingSent > 3000) ping(); // still there after all?
        return;
      }
      const now = Date.now();
      if (pingSent && now - pingSent > 1500) {
        show("silent");
      } else if (!pingSent && unackedSince && now - unackedSince > 2000) {
        ping(); // autosave acknowledges about a second after typing: this is late
      } else if (!pingSent && now - lastPong > 15000) {
        ping();
      }
    }, 250);

    return () => {
      clearInterval(timer);
      banner.remove();
      document.removeEventListener("input", onInput, true);
      document.removeEventListener("focusin", onFocus, true);
      document.removeEventListener("click", onClick, true);
      document.removeEventListener("change", onChange, true);
      document.removeEventListener("keydown", onKey, true);
      model.off("msg:custom", onMessage);
      if (kernel && kernel.connectionStatusChanged) kernel.connectionStatusChanged.disconnect(onConnection);
      if (kernel && kernel.statusChanged) kernel.statusChanged.disconnect(onStatus);
    };
  },
};
