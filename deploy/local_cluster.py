"""The production topology on one machine: ``deploy/local-cluster up|down|status``.

    deploy/local-cluster up [--servers 2] [--workers 2] [--threads 8]
    deploy/local-cluster status
    deploy/local-cluster stop-server N [--kill]    # SIGTERM (graceful) or SIGKILL
    deploy/local-cluster start-server N
    deploy/local-cluster restart-server N          # drain in HAProxy, stop, start, ready
    deploy/local-cluster down

Everything runs as the current user under a temporary folder, from Debian's
packages (installed with apt-get when missing): PostgreSQL 15, PgBouncer in
transaction mode, Redis, N gunicorn servers (each runs ``db upgrade`` before it
serves, all at once), HAProxy in front, a Celery worker and the Celery scheduler.
The configuration files are deploy/haproxy.cfg, deploy/pgbouncer.ini and
deploy/redis.conf, rendered from the environment; secrets not given in the
environment (SECRET_KEY, UPRIGHT_DB_PASSWORD, REDIS_PASSWORD) are generated. Other
settings in the environment (e.g. LOGIN_RATE_LIMIT) reach every process.

The state (folder, ports, process ids) is kept in ``$UPRIGHT_CLUSTER_STATE``
(default: ``upright-local-cluster.json`` in the system's temporary folder), so that
``status`` and ``down`` find the cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
DATABASE = "upright"
DB_USER = "upright"


def state_path() -> Path:
    default = Path(tempfile.gettempdir()) / "upright-local-cluster.json"
    return Path(os.environ.get("UPRIGHT_CLUSTER_STATE") or default)


# --- Debian packages ---------------------------------------------------------------------


def as_root(command: list[str]) -> list[str]:
    """``command`` run as root: as is when root already, else through ``sudo -n``."""
    if os.geteuid() == 0:
        return command
    if shutil.which("sudo"):
        return ["sudo", "-n", *command]
    raise SystemExit("Installing a missing package needs root: " + " ".join(command))


def ensure_packages() -> None:
    """apt-get install what is missing (one update, one install)."""
    wanted = {
        "haproxy": "haproxy",
        "pgbouncer": "pgbouncer",
        "redis-server": "redis-server",
    }
    missing = [package for binary, package in wanted.items() if _which(binary) is None]
    if _pg_bin() is None:
        missing.append("postgresql-15")
    if not missing:
        return
    print("== Installing " + " ".join(missing) + " from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(as_root(["apt-get", "update", "-q"]), check=True, env=env)
    subprocess.run(as_root(["apt-get", "install", "-y", "-q", *missing]), check=True, env=env)


def _which(binary: str) -> str | None:
    return shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")


def _pg_bin() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    return next((Path(c) for c in candidates if (Path(c) / "initdb").exists()), None)


# --- helpers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render(template: str, values: dict[str, str]) -> str:
    """``${NAME}`` from ``values``, as envsubst would from the environment."""
    return string.Template((DEPLOY / template).read_text()).substitute(values)


def _wait_port(port: int, process: subprocess.Popen | None, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}; see its log")
        time.sleep(0.05)
    raise SystemExit(f"{what} did not listen on port {port} within {seconds:g} s")


def _spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A process in its own session (so that it and its children can be signalled)."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )


def _alive(pid: int | None) -> bool:
    """The process exists and is not a zombie (a zombie has finished)."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is ours
        return False
    return True


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _stop_group(pid: int | None, seconds: float = 20) -> None:
    _stop_groups([pid], seconds)


def _stop_groups(pids: list[int | None], seconds: float = 20) -> None:
    """SIGTERM to each process group, then SIGKILL to those still running after
    ``seconds``."""
    running = [pid for pid in pids if pid and _alive(pid)]
    for pid in running:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.05)
    for pid in running:
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in running):
        time.sleep(0.05)


def load_state() -> dict[str, Any]:
    path = state_path()
    if not path.exists():
        raise SystemExit(f"No cluster: {path} does not exist (start one with `up`).")
    return json.loads(path.read_text())


def save_state(state: dict[str, Any]) -> None:
    path = state_path()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2))
    temporary.replace(path)


# --- the pieces --------------------------------------------------------------------------


def _postgres(state: dict[str, Any]) -> None:
    pg_bin = _pg_bin()
    assert pg_bin is not None
    root = Path(state["root"])
    pg_dir = root / "postgres"
    pg_dir.mkdir()
    run_as: list[str] = []
    user = os.environ.get("USER") or "postgres"
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(pg_dir, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
        user = "postgres"
    state["postgres"] = {"bin": str(pg_bin), "dir": str(pg_dir), "run_as": run_as, "user": user}
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "initdb"),
            "-D",
            str(pg_dir / "data"),
            "-U",
            user,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        ],
        check=True,
        **quiet,
    )
    options = (
        f"-c listen_addresses='' -c unix_socket_directories='{pg_dir}' "
        "-c max_connections=100 -c fsync=off -c synchronous_commit=off"
    )
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(pg_dir / "data"),
            "-l",
            str(pg_dir / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        check=True,
        **quiet,
    )
    timeout = int(os.environ.get("DB_STATEMENT_TIMEOUT") or 5)
    password = state["secrets"]["UPRIGHT_DB_PASSWORD"].replace("'", "''")
    for sql in (
        f"CREATE ROLE {DB_USER} LOGIN CREATEDB PASSWORD '{password}'",
        # PgBouncer drops the `options` the app sends its statement timeout in
        f"ALTER ROLE {DB_USER} SET statement_timeout = '{timeout}s'",
        f"CREATE DATABASE {DATABASE} OWNER {DB_USER}",
    ):
        psql(state, sql, database="postgres")


def psql(state: dict[str, Any], sql: str, *, database: str = DATABASE) -> str:
    """Run SQL on PostgreSQL itself (not through PgBouncer) as its superuser."""
    pg = state["postgres"]
    result = subprocess.run(
        [
            *pg["run_as"],
            str(Path(pg["bin"]) / "psql"),
            "-h",
            pg["dir"],
            "-U",
            pg["user"],
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atq",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"psql failed: {result.stderr.strip()}")
    return result.stdout


def _pgbouncer(state: dict[str, Any]) -> None:
    # PgBouncer refuses to run as root: as root it runs as PostgreSQL's own user
    run_as = state["postgres"]["run_as"]
    root = Path(state["root"]) / "pgbouncer"
    root.mkdir()
    if run_as:
        shutil.chown(root, "postgres", "postgres")
    port = state["ports"]["pgbouncer"]
    auth = root / "pgbouncer-users.txt"
    auth.write_text(f'"{DB_USER}" "{state["secrets"]["UPRIGHT_DB_PASSWORD"]}"\n')
    auth.chmod(0o600)
    if run_as:
        shutil.chown(auth, "postgres", "postgres")
    servers, workers = state["servers"], state["workers"]
    per_process = int(os.environ.get("DB_POOL_SIZE") or 5) + int(
        os.environ.get("DB_MAX_OVERFLOW") or 5
    )
    # the sizing rule: every connection the servers (and the job worker) may open gets one
    pool = os.environ.get("PGBOUNCER_POOL_SIZE") or str(per_process * (servers * workers + 2))
    config = render(
        "pgbouncer.ini",
        {
            "PG_HOST": state["postgres"]["dir"],
            "PG_PORT": "5432",
            "PGBOUNCER_LISTEN_ADDR": "127.0.0.1",
            "PGBOUNCER_PORT": str(port),
            "PGBOUNCER_POOL_SIZE": pool,
            "PGBOUNCER_AUTH_FILE": str(auth),
            "PGBOUNCER_LOG_FILE": str(root / "pgbouncer.log"),
            "PGBOUNCER_PID_FILE": str(root / "pgbouncer.pid"),
        },
    )
    (root / "pgbouncer.ini").write_text(config)
    binary = _which("pgbouncer")
    assert binary is not None
    process = _spawn([*run_as, binary, str(root / "pgbouncer.ini")], root / "pgbouncer.out")
    state["pids"]["pgbouncer"] = process.pid
    _wait_port(port, process, "pgbouncer", 20)


def _redis(state: dict[str, Any]) -> None:
    root = Path(state["root"])
    port = state["ports"]["redis"]
    (root / "redis").mkdir()
    config = render(
        "redis.conf",
        {
            "REDIS_BIND": "127.0.0.1",
            "REDIS_PORT": str(port),
            "REDIS_PASSWORD": state["secrets"]["REDIS_PASSWORD"],
            "REDIS_DIR": str(root / "redis"),
        },
    )
    (root / "redis.conf").write_text(config)
    (root / "redis.conf").chmod(0o600)
    binary = _which("redis-server")
    assert binary is not None
    process = _spawn([binary, str(root / "redis.conf")], root / "redis.log")
    state["pids"]["redis"] = process.pid
    _wait_port(port, process, "redis-server", 20)


def app_environment(state: dict[str, Any]) -> dict[str, str]:
    """What every API server, worker and command of the cluster runs with."""
    s, ports = state["secrets"], state["ports"]
    redis = f"redis://:{s['REDIS_PASSWORD']}@127.0.0.1:{ports['redis']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(state),
        "RATELIMIT_STORAGE_URI": f"{redis}/0",
        "CELERY_BROKER_URL": f"{redis}/1",
        "SECRET_KEY": s["SECRET_KEY"],
    }
    env.setdefault("UPRIGHT_ENV", "production")
    env.setdefault("TRUSTED_PROXY_COUNT", "1")
    # Through PgBouncer 1.18 in transaction mode: never prepare (README, Deployment).
    env["DB_PREPARED_STATEMENTS"] = "false"
    env["WEB_CONCURRENCY"] = str(state["workers"])
    env["GUNICORN_THREADS"] = str(state["threads"])
    env.pop("FLASK_APP", None)
    return env


def database_url(state: dict[str, Any], database: str = DATABASE) -> str:
    password = state["secrets"]["UPRIGHT_DB_PASSWORD"]
    return (
        f"postgresql+psycopg://{DB_USER}:{password}@127.0.0.1:{state['ports']['pgbouncer']}"
        f"/{database}"
    )


def start_server(state: dict[str, Any], number: int) -> None:
    """Server N: ``db upgrade`` (all servers at once; one migrates), then gunicorn."""
    root = Path(state["root"])
    port = state["ports"]["servers"][number - 1]
    command = (
        f"'{PYTHON}' -m flask --app wsgi db upgrade && exec '{PYTHON}' -m gunicorn "
        f"-c python:api.gunicorn_conf -b 127.0.0.1:{port} wsgi:app"
    )
    process = _spawn(
        ["sh", "-c", command], root / f"server{number}.log", env=app_environment(state)
    )
    state["pids"][f"server{number}"] = process.pid


def wait_ready(state: dict[str, Any], number: int, seconds: float = 60) -> None:
    port = state["ports"]["servers"][number - 1]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        if not _alive(state["pids"].get(f"server{number}")):
            raise SystemExit(f"server {number} exited; see {state['root']}/server{number}.log")
        time.sleep(0.1)
    raise SystemExit(f"server {number} was not ready within {seconds:g} s")


def _haproxy(state: dict[str, Any]) -> None:
    root = Path(state["root"])
    lines = "\n".join(
        f"    server app{n} 127.0.0.1:{port} check"
        for n, port in enumerate(state["ports"]["servers"], start=1)
    )
    config = render(
        "haproxy.cfg",
        {
            "HAPROXY_BIND": f"127.0.0.1:{state['ports']['haproxy']}",
            "HAPROXY_ADMIN_SOCKET": str(root / "haproxy.sock"),
            "UPRIGHT_SERVERS": lines,
        },
    )
    (root / "haproxy.cfg").write_text(config)
    binary = _which("haproxy")
    assert binary is not None
    subprocess.run([binary, "-c", "-q", "-f", str(root / "haproxy.cfg")], check=True)
    # -db: stay in the foreground (this script keeps its process id)
    process = _spawn([binary, "-db", "-f", str(root / "haproxy.cfg")], root / "haproxy.log")
    state["pids"]["haproxy"] = process.pid
    _wait_port(state["ports"]["haproxy"], process, "haproxy", 20)


def haproxy_command(state: dict[str, Any], command: str) -> str:
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(str(Path(state["root"]) / "haproxy.sock"))
        client.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := client.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def _jobs(state: dict[str, Any]) -> None:
    root = Path(state["root"])
    env = app_environment(state)
    worker = _spawn(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "api.jobs.worker",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
        ],
        root / "celery-worker.log",
        env=env,
    )
    state["pids"]["celery-worker"] = worker.pid
    beat = _spawn(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "api.jobs.worker",
            "beat",
            "--loglevel=INFO",
            "-s",
            str(root / "celerybeat-schedule"),
        ],
        root / "celery-beat.log",
        env=env,
    )
    state["pids"]["celery-beat"] = beat.pid


def url(state: dict[str, Any]) -> str:
    return f"http://127.0.0.1:{state['ports']['haproxy']}"


# --- commands ----------------------------------------------------------------------------


def up(servers: int, workers: int, threads: int, jobs: bool = True) -> dict[str, Any]:
    if state_path().exists():
        raise SystemExit(f"A cluster is already up ({state_path()}); run `down` first.")
    ensure_packages()
    root = Path(tempfile.mkdtemp(prefix="upright-cluster-"))
    root.chmod(0o755)  # PostgreSQL's own user reaches its folder inside
    state: dict[str, Any] = {
        "root": str(root),
        "servers": servers,
        "workers": workers,
        "threads": threads,
        "ports": {
            "haproxy": free_port(),
            "pgbouncer": free_port(),
            "redis": free_port(),
            "servers": [free_port() for _ in range(servers)],
        },
        "secrets": {
            name: os.environ.get(name) or secrets.token_urlsafe(32 if name != "SECRET_KEY" else 48)
            for name in ("SECRET_KEY", "UPRIGHT_DB_PASSWORD", "REDIS_PASSWORD")
        },
        "pids": {},
    }
    save_state(state)  # from here on, `down` cleans up whatever started
    try:
        _postgres(state)
        save_state(state)
        _pgbouncer(state)
        _redis(state)
        save_state(state)
        for number in range(1, servers + 1):
            start_server(state, number)
        save_state(state)
        for number in range(1, servers + 1):
            wait_ready(state, number)
        subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", "catalogue", "load"],
            check=True,
            cwd=ROOT,
            env=app_environment(state),
            stdout=subprocess.DEVNULL,
        )
        _haproxy(state)
        if jobs:
            _jobs(state)
        save_state(state)
    except BaseException:
        _print_logs(root)
        down()
        raise
    return state


def _print_logs(root: Path) -> None:
    for log in sorted(root.glob("**/*.log")) + sorted(root.glob("**/*.out")):
        lines = log.read_text(errors="replace").splitlines()[-15:]
        print(f"== {log.name}\n" + "\n".join(lines), file=sys.stderr)


def down() -> None:
    path = state_path()
    if not path.exists():
        print("No cluster is up.")
        return
    state = json.loads(path.read_text())
    pids = state.get("pids", {})
    order = ["haproxy", "celery-beat", "celery-worker"] + [
        f"server{n}" for n in range(1, state["servers"] + 1)
    ]
    _stop_groups([pids.get(name) for name in order])  # together: each finishes its work
    _stop_groups([pids.get("redis"), pids.get("pgbouncer")])
    pg = state.get("postgres")
    if pg:
        subprocess.run(
            [
                *pg["run_as"],
                str(Path(pg["bin"]) / "pg_ctl"),
                "-D",
                str(Path(pg["dir"]) / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    shutil.rmtree(state["root"], ignore_errors=True)
    path.unlink(missing_ok=True)
    print("The cluster is down.")


def status() -> int:
    state = load_state()
    print(f"URL: {url(state)}")
    print(f"folder: {state['root']}")
    pids = state["pids"]
    for name, pid in pids.items():
        print(f"  {name:14} pid {pid:<8} {'running' if _alive(pid) else 'STOPPED'}")
    try:
        for line in haproxy_command(state, "show servers state upright").splitlines():
            fields = line.split()
            if len(fields) > 6 and fields[3].startswith("app"):
                # srv_op_state 2 = running, 0 = stopped; srv_admin_state 0 = ready
                print(f"  haproxy {fields[3]}: op_state {fields[5]}, admin_state {fields[6]}")
    except OSError as error:
        print(f"  haproxy admin socket: {error}")
    try:
        with urllib.request.urlopen(f"{url(state)}/ready", timeout=3) as answer:
            print(f"ready: {answer.status}")
            return 0
    except (OSError, urllib.error.URLError) as error:
        print(f"ready: {error}")
        return 1


def stop_server(number: int, kill: bool) -> None:
    state = load_state()
    pid = state["pids"].get(f"server{number}")
    if kill:
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.02)
    else:
        _stop_group(pid, seconds=30)


def start_server_command(number: int) -> None:
    state = load_state()
    if _alive(state["pids"].get(f"server{number}")):
        raise SystemExit(f"server {number} is running")
    start_server(state, number)
    save_state(state)
    wait_ready(state, number)


def restart_server(number: int) -> None:
    """A rolling restart step: drain server N in HAProxy, stop it gracefully, start it."""
    state = load_state()
    haproxy_command(state, f"set server upright/app{number} state drain")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stat = haproxy_command(state, "show stat")
        row = next((r for r in stat.splitlines() if r.startswith(f"upright,app{number},")), "")
        if row and row.split(",")[4] == "0":  # scur: requests in progress
            break
        time.sleep(0.1)
    stop_server(number, kill=False)
    start_server_command(number)
    haproxy_command(load_state(), f"set server upright/app{number} state ready")
    wait_in_service(state, number)


def wait_in_service(state: dict[str, Any], number: int, seconds: float = 30) -> None:
    """Until HAProxy's health checks have put server N back in service (so that the next
    server of a rolling restart is not taken out while this one is still counted down)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in haproxy_command(state, "show servers state upright").splitlines():
            fields = line.split()
            if len(fields) > 6 and fields[3] == f"app{number}" and fields[5:7] == ["2", "0"]:
                return
        time.sleep(0.1)
    raise SystemExit(f"HAProxy did not put server {number} back in service in {seconds:g} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="deploy/local-cluster", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start the cluster and print its URL")
    start.add_argument("--servers", type=int, default=2)
    start.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    start.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    start.add_argument("--no-jobs", action="store_true", help="no Celery worker and scheduler")
    commands.add_parser("down", help="stop everything and delete the folder")
    commands.add_parser("status", help="what runs, and whether the API is ready")
    for name in ("stop-server", "start-server", "restart-server"):
        sub = commands.add_parser(name)
        sub.add_argument("number", type=int)
        if name == "stop-server":
            sub.add_argument("--kill", action="store_true", help="SIGKILL instead of SIGTERM")
    args = parser.parse_args(argv)
    if args.command == "up":
        state = up(args.servers, args.workers, args.threads, jobs=not args.no_jobs)
        print(f"Upright is up: {url(state)}  (state: {state_path()})")
        print(f"URL={url(state)}")
        return 0
    if args.command == "down":
        down()
        return 0
    if args.command == "status":
        return status()
    if args.command == "stop-server":
        stop_server(args.number, args.kill)
    elif args.command == "start-server":
        start_server_command(args.number)
    else:
        restart_server(args.number)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
