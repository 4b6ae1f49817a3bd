// The countdown that ticks in the browser (pdkit.widgets.Countdown).
function fmt(seconds) {
  const over = seconds < 0;
  const whole = over ? Math.floor(-seconds) : Math.ceil(seconds);
  return (over ? "+" : "") + Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

// A screen reader hears the countdown at a few moments (one minute left, 30 seconds left,
// time up, paused, ended), not every second: the timer itself is not live (role=timer), and
// these moments are said in one polite live region of the page.
function say(text) {
  let region = document.getElementById("pdkit-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "pdkit-announcer";
    region.className = "pdkit-announcer";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;" +
      "clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;";
    document.body.appendChild(region);
  }
  region.textContent = text;
}

const bucket = (left) => (left <= 0 ? 0 : left <= 30 ? 1 : left <= 60 ? 2 : 3);
// (Worded apart from the timer's own text, which a page may look for.)
const SAID = ["up", "thirty", "minute"];
// The words in the page's language come from the kernel (Countdown.words, pdkit's catalogs;
// {time} where the time goes).

export default {
  render({ model, el }) {
    el.classList.add("pdkit-countdown");
    el.setAttribute("role", "timer");
    let base = performance.now();
    let lastState = model.get("state");
    let lastBucket = null;
    const word = (key, time = "") =>
      ((model.get("words") || {})[key] || "").replace("{time}", time);
    const announce = (state, running, left) => {
      const now = running ? bucket(left) : null;
      if (state !== lastState) {
        if (state === "paused") say(word("paused_said", fmt(Math.max(left, 0))));
        if (state === "ended") say(word("finished"));
        lastState = state;
      } else if (now !== null && lastBucket !== null && now < lastBucket) {
        say(word(SAID[now]));
      }
      lastBucket = now;
    };
    const draw = () => {
      const running = model.get("running");
      const elapsed = running ? (performance.now() - base) / 1000 : 0;
      const left = model.get("remaining") - elapsed;
      const state = model.get("state");
      let text = left < 0 ? word("over", fmt(left)) : word("left", fmt(left));
      if (state === "paused") text = word("paused", fmt(Math.max(left, 0)));
      if (state === "ended") text = word("ended");
      if (state === "idle") text = "";
      el.textContent = text;
      el.dataset.seconds = String(Math.round(left));
      el.classList.toggle("pdkit-overtime", left < 0 && running);
      announce(state, running, left);
    };
    const reset = () => { base = performance.now(); draw(); };
    model.on("change:stamp", reset);
    const timer = setInterval(draw, 250);
    reset();
    return () => { clearInterval(timer); model.off("change:stamp", reset); };
  },
};
