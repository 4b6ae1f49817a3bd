// Keeps the participant's resume token in the browser (pdkit.widgets.BrowserIdentity).
const KEY = "pdkit:resume-token";
const PARAM = "__RESUME_PARAM__";

function withStorage(fn) {
  try { return fn(window.localStorage); } catch (err) { return null; }
}

function persist(token) {
  const url = new URL(window.location.href);
  if (token) {
    withStorage((s) => s.setItem(KEY, token));
    url.searchParams.set(PARAM, token);
  } else {
    withStorage((s) => s.removeItem(KEY));
    url.searchParams.delete(PARAM);
  }
  window.history.replaceState(window.history.state, "", url.toString());
}

export default {
  render({ model, el }) {
    el.hidden = true;
    const here = new URL(window.location.href);
    const page = new URL(window.location.href);
    page.searchParams.delete(PARAM);
    page.hash = "";
    const urlToken = here.searchParams.get(PARAM) || "";
    const storedToken = withStorage((s) => s.getItem(KEY)) || "";
    // A newcomer (no token here, a link that names no language or session) sees the
    // join step at once: the kernel made it with the page, hidden until this says so.
    // Anyone else waits for the kernel (who they are; the step in their language).
    const newcomer = !urlToken && !storedToken &&
      !here.searchParams.has("lang") && !here.searchParams.has("code");
    document.body.classList.toggle("pdkit-newcomer", newcomer);
    const report = { url_token: urlToken, stored_token: storedToken, page_url: page.toString() };
    if (newcomer && model.get("report_at_join")) {
      // Nothing to tell the kernel before Join (it made the step with the page): the
      // report goes with the Join click, in the one message the page's keeper sends.
      el.classList.add("pdkit-report-at-join");
      el.dataset.pdkitReport = JSON.stringify(report);
    } else {
      model.set(report);
      model.set("reported", true);
      model.save_changes();
    }
    const onToken = () => persist(model.get("token"));
    model.on("change:token", onToken);
    return () => model.off("change:token", onToken);
  },
};
