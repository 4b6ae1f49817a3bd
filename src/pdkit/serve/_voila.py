"""Running Voilà for ``pdkit serve``: everything checked first, then Voilà with the kernel
manager, the template, the kernels' environment and a runtime folder of its own."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import TextIO

from .._environ import (
    CREDENTIAL_ISSUER_ENV,
    CREDENTIAL_KEY_ENV,
    DEFINITIONS_CHECKED_ENV,
    DEFINITIONS_PARSED_ENV,
    FACILITATOR_KEY_ENV,
    LOOK_FORS_ENV,
    MICRO_CREDENTIALS_ENV,
    PAGE_STYLE_ENV,
    PATHWAYS_ENV,
    SCHOOL_GOALS_ENV,
    STORE_ENV,
)
from .._memory import give_back_freed_memory
from ..definitions import (
    builtin_definitions,
    check_school_goal,
    load_definition,
    load_look_fors,
    load_pathways,
    load_school_goals,
)
from ..definitions._load import templates_dir
from ..definitions._parsed import record_parses, write_parsed
from ..definitions._schema import checked_texts
from ..errors import PdkitError
from ..i18n import N_, Nn_, terminal_words
from ..store import open_store, resolve_store_url
from ._checks import check_notebooks, served_notebooks
from ._config import (
    MAKE_A_KEY,
    ServeConfig,
    free_port,
    key_weakness,
    plain_http_warning,
    port_problem,
    random_key,
    tls_context,
)

__all__ = ["kernel_ipython_dir", "prepare", "serve", "template_data_dir", "voila_command"]

KERNEL_PROFILE = """\
# Written by pdkit serve: the profile of the kernels it serves (IPYTHONDIR).
# No history database: many kernels starting at once queue for its lock.
c.HistoryManager.enabled = False
"""


def kernel_ipython_dir() -> Path:
    """The IPython folder of served kernels (created; its profile keeps no history)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "pdkit" / "ipython"
    config = folder / "profile_default" / "ipython_kernel_config.py"
    try:
        if not config.is_file() or config.read_text(encoding="utf-8") != KERNEL_PROFILE:
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(KERNEL_PROFILE, encoding="utf-8")
    except OSError as error:
        raise PdkitError(
            N_("{profile}: cannot write the kernels' IPython profile: {reason}"),
            profile=str(config),
            reason=str(error),
        ) from error
    return folder


def template_data_dir() -> Path:
    """The Jupyter data folder inside pdkit that holds its Voilà template (``pdkit``)."""
    return Path(str(resources.files("pdkit").joinpath("jupyter")))


def _styles_its_pages(config: ServeConfig) -> bool:
    """Whether the pages come with pdkit's style sheet (pdkit's template has it): then the
    kernels send no copy (``PAGE_STYLE_ENV``), and the pages keep that template."""
    return config.template == "pdkit"


def voila_command(config: ServeConfig) -> list[str]:
    """The Voilà command line for ``config`` (port already chosen)."""
    command = [
        sys.executable,
        "-m",
        "pdkit.serve.voila_main",  # Voilà's own main, without a meaningless warning
        str(config.path),
        f"--template={config.template}",
        f"--port={config.port}",
        "--Voila.port_retries=0",  # never another port than the links printed say
        f"--Voila.ip={config.host}",
        "--no-browser" if not config.open_browser else "--Voila.open_browser=True",
        "--show_tracebacks=False",
        "--theme=light",
        "--VoilaConfiguration.multi_kernel_manager_class=pdkit.serve.kernels.PdkitKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={config.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={config.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        # Unix sockets, not TCP ports, between the server and its kernels: when a room
        # arrives, a port a kernel was given could be taken by one of the hundreds of
        # connections opened meanwhile ("Address already in use": the kernel died and
        # its page failed). The sockets live in serve()'s own short runtime folder.
        "--KernelManager.transport=ipc",
        # A kernel stopped other than by the culler (which kills at once), such as when
        # the server stops, gets 0.5 s to exit, then SIGTERM, then SIGKILL at 1 s (5 s by
        # default: a room's kernels exiting together through Python's shutdown is slow).
        "--KernelManager.shutdown_wait_time=1.0",
        # A kernel that dies (killed, out of memory) is noticed within a second (3 s by
        # default), and its page then says at once that it cannot save (Safekeeper).
        "--KernelRestarter.time_to_dead=1.0",
        f"--PdkitKernelManager.max_kernels={config.max_kernels}",
        f"--PdkitKernelManager.connect_grace={config.connect_grace}",
        # When a crowd arrives the kernels' output comes late; Voilà's default (4 s) then
        # serves pages without their widgets ("Timeout waiting for IOPub output").
        f"--VoilaExecutor.iopub_timeout={config.iopub_timeout}",
    ]
    if _styles_its_pages(config):  # the pages' look comes with the template: keep it
        command.append("--VoilaConfiguration.allow_template_override=NO")
    if config.certfile:
        command.append(f"--PdkitVoila.certfile={config.certfile.resolve()}")
        if config.keyfile:
            command.append(f"--PdkitVoila.keyfile={config.keyfile.resolve()}")
    pools = config.pool_config()
    if len(pools) > 1:
        command += [  # (traitlets warns that a dict on the command line is deprecated;
            # key=value would keep the nested values as text, so the dict stays)
            "--preheat_kernel=True",
            f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
            f"--VoilaKernelManager.fill_delay={config.fill_delay}",
        ]
    return command


def prepare(
    config: ServeConfig, out: TextIO | None = None, err: TextIO | None = None
) -> dict[str, str]:
    """Check everything before Voilà starts; returns the environment for the kernels.

    Every notebook to serve, the definitions each runs (:mod:`._checks`), the built-in
    definitions, the school goals and the store are checked here once, so a mistake is
    reported in the terminal, not on 300 teachers' screens: every problem is printed on
    ``err`` (file, line, place, as ``pdkit validate`` prints them) and nothing starts.
    The data of every text parsed meanwhile is kept for the kernels (:func:`runtime_env`).
    """
    with record_parses():
        return _prepare(config, out, err)


def _prepare(config: ServeConfig, out: TextIO | None, err: TextIO | None) -> dict[str, str]:
    out = out or sys.stdout
    err = err or sys.stderr
    if not config.path.exists():
        raise PdkitError(N_("{where}: no such workbook or folder"), where=str(config.path))
    problems, notices = check_notebooks(served_notebooks(config.path))
    for definition_id in builtin_definitions():
        try:
            load_definition(definition_id)
        except PdkitError as exc:
            problems.append(exc)
    env = dict(os.environ)
    goals = config.school_goals or (
        Path(env[SCHOOL_GOALS_ENV]) if env.get(SCHOOL_GOALS_ENV) else None
    )
    if goals is not None:
        try:
            load_school_goals(goals)
        except PdkitError as exc:
            problems.append(exc)
        env[SCHOOL_GOALS_ENV] = str(goals.resolve())
    look_fors = config.look_fors or (Path(env[LOOK_FORS_ENV]) if env.get(LOOK_FORS_ENV) else None)
    if look_fors is not None:  # the district's look-fors: checked now, like the goals
        try:
            load_look_fors(look_fors)
        except PdkitError as exc:
            problems.append(exc)
        env[LOOK_FORS_ENV] = str(look_fors.resolve())
    pathways = config.pathways or (Path(env[PATHWAYS_ENV]) if env.get(PATHWAYS_ENV) else None)
    try:  # the district's pathways, else pdkit's: checked now against the school goals
        goal_ids = [g.id for g in load_school_goals(goals or templates_dir() / "school-goals.yaml")]
    except PdkitError:
        goal_ids = None  # (the school goals' problem is reported above)
    try:
        for pathway in load_pathways(pathways):
            if goal_ids is not None:
                check_school_goal(pathway, goal_ids)
    except PdkitError as exc:
        problems.append(exc)
    if pathways is not None:
        env[PATHWAYS_ENV] = str(pathways.resolve())
    problems.extend(credential_settings(config, env))
    key, given_as = config.facilitator_key, "--facilitator-key"
    if not key and env.get(FACILITATOR_KEY_ENV):
        key, given_as = env[FACILITATOR_KEY_ENV], f"${FACILITATOR_KEY_ENV}"
    weakness = key_weakness(key) if key else None
    if weakness:
        problems.append(
            PdkitError(
                N_(
                    "{given_as} is too weak to guard the facilitator's dashboard: {weakness}. "
                    "Leave it out and pdkit serve makes a random one (it is in the facilitator "
                    "link printed at start), or make one with: {command}"
                ),
                given_as=given_as,
                weakness=weakness,
                command=MAKE_A_KEY,
            )
        )
    if config.port != 0 and (why := port_problem(config.host, config.port)):
        problems.append(
            PdkitError(
                N_(
                    "cannot serve on port {port} of {host}: {reason} (is another "
                    "pdkit serve running?). Stop it, or choose another port with --port "
                    "(--port 0 takes any free one)"
                ),
                port=config.port,
                host=config.host,
                reason=why,
            )
        )
    if config.keyfile and not config.certfile:
        problems.append(PdkitError(N_("--keyfile: give the certificate too, with --certfile")))
    if config.certfile:
        try:
            tls_context(str(config.certfile), str(config.keyfile) if config.keyfile else None)
        except (OSError, ValueError) as exc:  # (ssl.SSLError is an OSError)
            problems.append(
                PdkitError(
                    N_(
                        "--certfile {certfile} --keyfile {keyfile}: cannot serve HTTPS with "
                        "them: {reason}. Give a PEM certificate and the private key that "
                        "belongs to it"
                    )
                    if config.keyfile
                    else N_(
                        "--certfile {certfile}: cannot serve HTTPS with them: {reason}. Give a "
                        "PEM certificate and the private key that belongs to it"
                    ),
                    certfile=str(config.certfile),
                    keyfile=str(config.keyfile),
                    reason=str(exc),
                )
            )
    if config.remind:
        from ..outreach import SmtpSettings

        try:
            SmtpSettings.from_url(config.smtp)
        except PdkitError as exc:
            problems.append(PdkitError(N_("--remind: {reason}"), reason=exc))
    url = shown = ""
    try:
        url = resolve_store_url(config.store)
        store = open_store(url)
        shown = store.url  # never shows a password
        store.close()
    except PdkitError as exc:
        problems.append(exc)
    t, tn = terminal_words()
    for notice in notices:
        print(f"pdkit: {notice}", file=out)
    if problems:
        for problem in problems:
            print(problem.said(t), file=err)
        raise PdkitError(
            Nn_(
                "{count} problem in what pdkit serve would serve (listed above); nothing was "
                "started. Fix it (pdkit validate checks definitions) and start again.",
                "{count} problems in what pdkit serve would serve (listed above); nothing was "
                "started. Fix them (pdkit validate checks definitions) and start again.",
            ),
            count=len(problems),
        )
    env[STORE_ENV] = url
    env["IPYTHONDIR"] = str(kernel_ipython_dir())
    # Every definition was checked above: the kernels need not check those texts again
    # (the schema's validators weigh about 4 MiB in each kernel; an edited file is checked).
    env[DEFINITIONS_CHECKED_ENV] = " ".join(checked_texts())
    # Each page has a kernel of its own and one browser tab: ipywidgets' echo of every
    # change a page sends (for other tabs on the same kernel, JupyterLab's case) would be
    # one more message through the server per keystroke. (Its front end drops echoes it
    # did not ask for, and takes the kernel's own updates as before.) Yours wins if set.
    env.setdefault("JUPYTER_WIDGETS_ECHO", "0")
    # pdkit's template has pdkit's style sheet in the page: the kernels send no copy
    # (14 KB and a model less for every page). Its pages then keep that template.
    if _styles_its_pages(config):
        env[PAGE_STYLE_ENV] = "template"
    else:
        env.pop(PAGE_STYLE_ENV, None)
    # Voilà finds templates in the Jupyter data path: put pdkit's own first.
    extra = [str(template_data_dir()), env.get("JUPYTER_PATH", "")]
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in extra if p)
    config.facilitator_key = key or random_key()
    env[FACILITATOR_KEY_ENV] = config.facilitator_key
    if config.port == 0:
        config.port = free_port(config.host)
    config.pool_config()  # a pool for a workbook that is not here: say so now
    print(t("pdkit: answers are saved in {store}").format(store=shown), file=out)
    for name, link in config.urls():
        print(f"pdkit: {name}: {link}", file=out)
    pooled = ", ".join(
        tn("{count} kernel for {workbook}", "{count} kernels for {workbook}", n).format(
            count=n, workbook=w
        )
        for w, n in config.pools.items()
        if n > 0
    )
    limit = (
        t("at most {count} kernels").format(count=config.max_kernels)
        if config.max_kernels
        else t("no kernel limit")
    )
    said = t("pdkit: pre-heated: {pooled}; {limit}; closed pages freed after {seconds} s idle")
    print(
        said.format(pooled=pooled or t("none"), limit=limit, seconds=config.cull_idle_timeout),
        file=out,
    )
    if config.remind:
        base = config.reminder_base_url()
        said = t("pdkit: reminders: sent now and every {minutes} min, links to {base}")
        print(said.format(minutes=f"{config.remind_every / 60:g}", base=base), file=out)
        if "://127.0.0.1" in base or "://0.0.0.0" in base or "://localhost" in base:
            print(
                t(
                    "pdkit: note: reminders' links point to this machine only: give "
                    "--base-url https://… (the address teachers open)"
                ),
                file=out,
            )
    if warning := plain_http_warning(config.host, bool(config.certfile), t):
        print(warning, file=out)
    if any(n > 0 for n in config.pools.values()):
        print(
            t(
                "pdkit: the server answers at once; while a workbook's kernels are pre-heated, "
                "people who open it see a 'getting ready' page that opens it by itself"
            ),
            file=out,
        )
    print(t("pdkit: press Ctrl+C to stop."), file=out, flush=True)
    return env


def serve(config: ServeConfig, out: TextIO | None = None) -> int:
    """Run Voilà until it stops or is interrupted; returns its exit code (0 after Ctrl+C)."""
    env = prepare(config, out)
    # This process only waits on Voilà from now on: what the checks freed goes back to
    # the system (its anonymous memory: 28 MiB before, 20 MiB after, measured).
    gc.collect()
    give_back_freed_memory()
    loop = None
    if config.remind:
        from ._remind import RemindLoop

        loop = RemindLoop(
            env[STORE_ENV],
            config.smtp,
            config.reminder_base_url(),
            out or sys.stdout,
            every=config.remind_every,
            rate=config.remind_rate,
        )
        loop.start()
    try:
        with tempfile.TemporaryDirectory(prefix="pdkit-") as runtime:
            # short (a socket path has at most 107 characters) and removed afterwards
            runtime_env(env, Path(runtime))
            return _run(voila_command(config), env, out or sys.stdout)
    finally:
        if loop is not None:
            loop.stop()


def runtime_env(env: dict[str, str], runtime: Path) -> None:
    """Give the kernels ``runtime``, a folder of this run's own (removed after it): their
    connection files go there, and the data of every definition :func:`prepare` parsed,
    which they take instead of parsing the YAML again (PyYAML is 0.7 MiB in each kernel;
    see :mod:`pdkit.definitions._parsed`)."""
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    env[DEFINITIONS_PARSED_ENV] = str(write_parsed(runtime / "definitions"))


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""What stops ``pdkit serve``: Ctrl+C, ``kill``, the terminal closing."""


def _run(command: list[str], env: dict[str, str], out: TextIO) -> int:
    """Run Voilà and wait for it; pass the first stop signal on once, stop it at once on
    the second.

    Voilà runs in a session of its own. A terminal sends Ctrl+C to its whole foreground
    group: had Voilà been in ours, it would get one SIGINT from the terminal and another
    from us while it stopped its kernels, and the second broke off its shutdown with a
    KeyboardInterrupt traceback (exit code 254). Now it gets exactly one: SIGINT for
    Ctrl+C, SIGTERM otherwise (the terminal's SIGHUP no longer reaches it by itself).
    """
    procs: list[subprocess.Popen[bytes]] = []
    asked: list[int] = []  # the stop signals received
    passed: list[int] = []  # those passed on to Voilà

    def stop(signum: int, _frame: FrameType | None) -> None:
        asked.append(signum)
        if len(asked) == 1:
            t, _tn = terminal_words()
            print(t("pdkit: stopping: closing every kernel (Ctrl+C again stops at once)"), file=out)
            out.flush()
        pass_on()

    def pass_on() -> None:
        for proc in procs:
            while len(passed) < len(asked):
                passed.append(asked[len(passed)])
                if len(passed) == 1:
                    proc.send_signal(signal.SIGINT if asked[0] == signal.SIGINT else signal.SIGTERM)
                else:  # asked twice: now (kernels exit when they find their parent gone)
                    proc.kill()

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        procs.append(subprocess.Popen(command, env=env, start_new_session=True))
        pass_on()  # in case a stop signal came while Voilà was being started
        code = procs[0].wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code  # killed by a signal: as a shell reports it


def credential_settings(config: ServeConfig, env: dict[str, str]) -> list[PdkitError]:
    """Check the micro-credentials' settings and pass them to the kernels in ``env``:
    the district's definitions, the issuer's profile and the signing key."""
    from ..definitions import definition_files, load_credential

    found: list[PdkitError] = []
    if config.micro_credentials is not None:
        for path in definition_files([config.micro_credentials]):
            try:
                load_credential(path)
            except PdkitError as exc:
                found.append(exc)
        env[MICRO_CREDENTIALS_ENV] = str(config.micro_credentials.resolve())
    if config.issuer_name or config.issuer_url or config.issuer_email:
        if not config.issuer_name or not config.issuer_url.startswith(("https://", "http://")):
            found.append(
                PdkitError(
                    N_(
                        "credentials: give both --issuer-name and --issuer-url (the district's "
                        "web address, https://…)"
                    )
                )
            )
        env[CREDENTIAL_ISSUER_ENV] = json.dumps(
            {"name": config.issuer_name, "url": config.issuer_url, "email": config.issuer_email}
        )
    if config.credential_key is not None:
        from ..badges import load_private_key

        try:
            load_private_key(config.credential_key)
        except PdkitError as exc:
            found.append(PdkitError(N_("--credential-key: {reason}"), reason=exc))
        if CREDENTIAL_ISSUER_ENV not in env:
            found.append(PdkitError(N_("--credential-key needs --issuer-name and --issuer-url")))
        env[CREDENTIAL_KEY_ENV] = str(config.credential_key.resolve())
    return found
