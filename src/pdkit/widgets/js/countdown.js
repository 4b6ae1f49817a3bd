// The countdown that ticks in the browser (pdkit.widgets.Countdown).
function fmt(seconds) {
  const over = seconds < 0;
  const whole = over ? Math.floor(-seconds) : Math.ceil(seconds);
  return (over ? "+" : "") + Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

export default {
  render({ model, el }) {
    el.classList.add("pdkit-countdown");
    el.setAttribute("role", "timer");
    let base = performance.now();
    const draw = () => {
      const running = model.get("running");
      const elapsed = running ? (performance.now() - base) / 1000 : 0;
      const left = model.get("remaining") - elapsed;
      const state = model.get("state");
      let text = left < 0 ? `Time is up (${fmt(left)})` : `${fmt(left)} left`;
      if (state === "paused") text = `Paused, ${fmt(Math.max(left, 0))} left`;
      if (state === "ended") text = "Ended";
      if (state === "idle") text = "";
      el.textContent = text;
      el.dataset.seconds = String(Math.round(left));
      el.classList.toggle("pdkit-overtime", left < 0 && running);
    };
    const reset = () => { base = performance.now(); draw(); };
    model.on("change:stamp", reset);
    const timer = setInterval(draw, 250);
    reset();
    return () => { clearInterval(timer); model.off("change:stamp", reset); };
  },
};
