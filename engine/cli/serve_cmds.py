"""`sop serve` (the HTTP API with its sweeper and notifier), `sop sweep` (one sweep, for cron)
and `sop token` (make and hash API tokens). See docs/operations.md."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import click

from engine.cli import options

COMMANDS: list[click.Command] = []

DEV_HOSTS = ("127.0.0.1", "localhost")
STOP_GRACE = 5.0  # seconds a stopping server waits for a sweep to end its batch
STOP_WORKERS = 0.5  # then for the sweeper and notifier threads (a claim is retried after it)
DEFAULT_THREADS = 1  # per worker: bench/bench_http.py, docs/operations.md
MANUAL_CLOCK_THREADS = 4  # its one worker's, as --dev serves on threads
log = logging.getLogger(__name__)


def _settings(**kwargs: Any) -> dict[str, Any]:
    """The server's settings (api/config.py): the options given, then the environment, then
    the defaults."""
    from api.config import ConfigError, settings

    keys = {
        "data_dir": "SOP_DATA_DIR",
        "database_url": "SOP_DATABASE_URL",
        "root": "SOP_ROOT",
        "rules_dir": "SOP_RULES_DIR",
        "clock": "SOP_CLOCK",
        "dev": "SOP_DEV",
        "tokens": "SOP_TOKENS_FILE",
        "notify_config": "SOP_NOTIFY_CONFIG",
        "clock_start": "SOP_CLOCK_START",
        "trusted_proxies": "SOP_TRUSTED_PROXIES",
        "clock_max_move": "SOP_CLOCK_MAX_MOVE",
        "init": "SOP_INIT",
    }
    given = {keys[k]: v for k, v in kwargs.items() if k in keys and v is not None}
    try:
        return settings(given)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _build(cfg: dict[str, Any]) -> Any:
    """The runtime, or the reason it cannot be built in one line (`Error: ...`, exit 1)."""
    from api.bootstrap import build_runtime
    from api.config import ConfigError
    from engine.errors import SopError, StoreUnavailable

    try:
        return build_runtime(cfg)
    except (ConfigError, ValueError, OSError, StoreUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    except SopError as exc:
        raise click.ClickException(f"cannot load the SOPs:\n{exc}") from None


def default_workers() -> int:
    """CPUs + 1: a worker waiting on the database or the SQLite write lock leaves its CPU to
    another."""
    return len(os.sched_getaffinity(0)) + 1


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="0: any free port.")
@options.store_options
@click.option(
    "--clock",
    type=click.Choice(["system", "manual"]),
    envvar="SOP_CLOCK",
    default="system",
    show_default=True,
    help="manual: time moves only by POST /v1/clock (demos, end-to-end tests); one worker.",
)
@click.option(
    "--clock-start",
    default=None,
    help="ISO time (with offset) a manual clock starts at [default: now].",
)
@click.option(
    "--clock-max-move",
    envvar="SOP_CLOCK_MAX_MOVE",
    default=None,
    help="The most one POST /v1/clock may move a manual clock, e.g. '30 days' "
    "[default: 400 days; env SOP_CLOCK_MAX_MOVE].",
)
@click.option(
    "--dev",
    is_flag=True,
    help="No authentication; binds 127.0.0.1 only; one process (Werkzeug's server).",
)
@click.option(
    "--tokens",
    envvar="SOP_TOKENS_FILE",
    default=None,
    type=click.Path(dir_okay=False),
    help="YAML file of API tokens (hashed) [env SOP_TOKENS_FILE].",
)
@options.notify_config
@click.option(
    "--sweep-interval",
    default=2.0,
    show_default=True,
    type=float,
    help="Seconds between deadline sweeps.",
)
@click.option(
    "--init",
    is_flag=True,
    envvar="SOP_INIT",
    help="Begin an empty store where the data folder lost its database (without it, such a "
    "start is refused) [env SOP_INIT=1].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    envvar="SOP_WORKERS",
    default=None,
    help="Worker processes [default: CPUs + 1; env SOP_WORKERS]; 1 with --clock manual.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    envvar="SOP_THREADS",
    default=None,
    help=f"Request threads per worker [default: {DEFAULT_THREADS}, {MANUAL_CLOCK_THREADS} with "
    "--clock manual; env SOP_THREADS].",
)
@click.option(
    "--no-threads",
    is_flag=True,
    hidden=True,
    help="Before workers: one request at a time; now the same as --threads 1.",
)
@click.option(
    "--trusted-proxies",
    type=int,
    envvar="SOP_TRUSTED_PROXIES",
    default=None,
    help="How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (default 0: "
    "ignore those headers; 1 behind one TLS proxy) [env SOP_TRUSTED_PROXIES].",
)
@click.option(
    "--access-log",
    is_flag=True,
    envvar="SOP_ACCESS_LOG",
    help="Log every request (the value of a `token` query parameter is never written) "
    "[env SOP_ACCESS_LOG=1].",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="SOP_LOG_FORMAT",
    default="text",
    show_default=True,
    help="Log lines as text or as JSON objects [env SOP_LOG_FORMAT].",
)
def serve(
    host: str,
    port: int,
    sweep_interval: float,
    workers: int | None,
    threads: int | None,
    no_threads: bool,
    access_log: bool,
    log_format: str,
    **kwargs: Any,
) -> None:
    """Run the HTTP API with its deadline sweeper and notification worker.

    Several worker processes under gunicorn (one of them runs the sweeper and the notifier);
    with --dev, one process under Werkzeug's server. See docs/operations.md.
    """
    from api.bootstrap import create_app
    from api.config import ConfigError

    _configure_logging(log_format)
    if no_threads:  # the flag of earlier versions (--threads/--no-threads) keeps its meaning
        threads = 1
    if access_log:
        os.environ["SOP_ACCESS_LOG"] = "1"  # the app's access log (api/logs.py) reads it
    if kwargs["dev"]:
        if host not in DEV_HOSTS:
            raise click.UsageError(
                f"--dev serves without authentication: bind 127.0.0.1, not {host}"
            )
        host = "127.0.0.1"
    if kwargs["clock_start"] and kwargs["clock"] != "manual":
        raise click.UsageError("--clock-start needs --clock manual")
    cfg = _settings(**kwargs)
    runtime = _build(cfg)  # a start-up failure is one line on stderr, nothing before it
    try:
        app = create_app(cfg, runtime=runtime)
    except ConfigError as exc:  # e.g. the web session key cannot be kept in the data folder
        runtime.close()
        raise click.ClickException(str(exc)) from None
    if kwargs["dev"]:
        _serve_dev(app, runtime, host, port, sweep_interval, threads != 1)
        return
    sop_count, dialect = len(runtime.catalog.sop_ids()), runtime.dialect
    runtime.close()  # checked; each worker builds its own after the fork
    if cfg["SOP_CLOCK"] == "manual" and workers not in (None, 1):
        click.echo(f"--clock manual: the clock is per process: 1 worker, not {workers}", err=True)
    if cfg["SOP_CLOCK"] == "manual":  # one process: threads answer beside a long clock move
        workers, threads = 1, threads or MANUAL_CLOCK_THREADS
    workers = workers or default_workers()
    threads = threads or DEFAULT_THREADS
    listener = _listen(host, port)
    base = f"http://{_url_host(host)}:{listener.getsockname()[1]}"
    click.echo(f"SOP engine serving {sop_count} SOP(s) on {base}")
    click.echo(
        f"database: {dialect}; clock: {cfg['SOP_CLOCK']}; {workers} worker(s) x {threads} thread(s)"
    )
    click.echo(f"API docs: {base}/v1/docs   (OpenAPI: {base}/v1/openapi.json)")
    sys.stdout.flush()
    from engine.cli.gunicorn_app import SopGunicorn

    with _metrics_dir():
        server = SopGunicorn(
            dict(cfg),
            listener.detach(),
            workers=workers,
            threads=threads,
            sweep_interval=sweep_interval,
        )
        master = os.getpid()
        try:
            server.run()
        finally:
            if os.getpid() == master:  # a worker's exit passes here too (forked inside)
                click.echo("stopped")


def _configure_logging(fmt: str) -> None:
    """Log lines as `fmt` says (api/logs.py); the app writes the access lines itself."""
    from api.logs import configure_logging

    configure_logging(fmt)


@contextlib.contextmanager
def _metrics_dir() -> Iterator[None]:
    """A fresh PROMETHEUS_MULTIPROC_DIR for the workers (set before they fork), removed when
    the master ends; one already set is used as it is."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    master = os.getpid()
    try:
        folder = tempfile.mkdtemp(prefix="sop-metrics-")
    except OSError as exc:
        raise click.ClickException(
            f"cannot make the workers' metrics folder in {tempfile.gettempdir()}: "
            f"{exc.strerror}; set TMPDIR or PROMETHEUS_MULTIPROC_DIR to a writable folder"
        ) from None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        if os.getpid() == master:  # a worker's exit passes here too (forked inside)
            shutil.rmtree(folder, ignore_errors=True)
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:  # create_server adds the address to strerror: say it once
        reason = (exc.strerror or str(exc)).split(" (while attempting", 1)[0]
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _serve_dev(
    app: Any,
    runtime: Any,
    host: str,
    port: int,
    sweep_interval: float,
    threaded: bool,
) -> None:
    """One process: Werkzeug's server, the sweeper and the notifier on threads beside it."""
    from werkzeug.serving import make_server

    from api.views.admin import sighup_handler
    from api.workers import Workers

    try:
        server = make_server(host, port, app, threaded=threaded, request_handler=_quiet_handler())
    except OSError as exc:
        runtime.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    click.secho(
        "WARNING: --dev: NO AUTHENTICATION. Every request acts as an admin. "
        "Listening on 127.0.0.1 only. Never use this in production.",
        fg="red",
        bold=True,
        err=True,
    )
    base = f"http://{host}:{server.server_port}"
    workers = Workers(runtime, sweep_interval=sweep_interval)
    workers.start()
    click.echo(f"SOP engine serving {len(runtime.catalog.sop_ids())} SOP(s) on {base}")
    click.echo(f"database: {runtime.dialect}; clock: {runtime.settings['SOP_CLOCK']}")
    click.echo(f"API docs: {base}/v1/docs   (OpenAPI: {base}/v1/openapi.json)", nl=True)
    sys.stdout.flush()

    def _stop(_signum: int, _frame: Any) -> None:
        # Sweeps under way (the background one, a long POST /v1/clock) end after the batch
        # they are in, each batch a committed transaction; what is left stays due for the
        # sweep after the restart. Then the server stops taking requests.
        runtime.service.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, sighup_handler(runtime))  # reload the SOPs (api/views/admin.py)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if not runtime.service.stop(STOP_GRACE):
            log.warning("a sweep was still running after %.0fs; stopping anyway", STOP_GRACE)
        workers.stop(STOP_WORKERS)
        runtime.close()
        click.echo("stopped")


def _quiet_handler() -> type:
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return Quiet


@click.command()
@options.store_options
@click.option("--clock-at", default=None, help="Sweep as of this ISO time instead of now.")
def sweep(clock_at: str | None, **kwargs: Any) -> None:
    """Apply every deadline due now, once (for cron; `sop serve` sweeps by itself)."""
    from datetime import UTC, datetime

    cfg = _settings(dev=True, **kwargs)
    runtime = _build(cfg)
    try:
        now = datetime.fromisoformat(clock_at) if clock_at else datetime.now(UTC)
        if now.tzinfo is None:
            raise click.BadParameter(
                "give a time zone offset, e.g. +07:00", param_hint="--clock-at"
            )
        from engine.app.sweeper import Sweeper

        applied = Sweeper(runtime.service).run_once(now)
        click.echo(f"swept at {now.isoformat()}: {applied} deadline event(s) applied")
    finally:
        runtime.close()


@click.group()
def token() -> None:
    """Make API tokens and the hashes the tokens file stores."""


@token.command("hash")
@click.argument("secret", required=False)
def token_hash(secret: str | None) -> None:
    """Print the sha256 to store for SECRET (read from stdin when not given)."""
    from api.auth import hash_token

    value = secret if secret is not None else sys.stdin.readline().strip()
    if not value:
        raise click.UsageError("give the secret as an argument or on stdin")
    click.echo(hash_token(value))


@token.command("new")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Repeatable.")
@click.option("--actor", "actors", multiple=True, help="SOP actor id it may act as (repeatable).")
@click.option("--scope", default=None, help="<ticket field>=<value> for scoped tokens.")
def token_new(
    name: str, roles: tuple[str, ...], actors: tuple[str, ...], scope: str | None
) -> None:
    """Make a new secret and print it with the entry to paste into the tokens file."""
    import yaml

    from api.auth import ROLES, hash_token

    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise click.BadParameter(
            f"{', '.join(bad)}; roles: {', '.join(ROLES)}", param_hint="--role"
        )
    secret = secrets.token_urlsafe(32)
    entry: dict[str, Any] = {
        "name": name,
        "sha256": hash_token(secret),
        "roles": list(roles),
        "actors": list(actors),
    }
    if scope:
        field, sep, value = scope.partition("=")
        if not sep or not field or not value:
            raise click.BadParameter("write <field>=<value>", param_hint="--scope")
        entry["scope"] = {"field": field, "value": value}
    click.echo(f"secret (give it to the client; it is not stored): {secret}", err=True)
    click.echo(yaml.safe_dump([entry], sort_keys=False, allow_unicode=True), nl=False)


COMMANDS.extend([serve, sweep, token])
