"""Run the whole test suite on SQLite and on a throwaway PostgreSQL 15, side by side.

    python -m tests.run_all [pytest args...]

PostgreSQL, redis-server (the job queue's broker, for the Celery worker tests,
passed to pytest as ``TEST_REDIS_URL``), haproxy and pgbouncer (the cluster tests of
tests/deploy, run in the PostgreSQL run only), Chromium (for the docs page test) and
Poppler's poppler-utils (pdftoppm and pdftotext, for the progress report tests) are
installed from Debian's packages when missing (root, or sudo, is needed for that);
the npm tools of the lint tests are installed once per run into a cache folder.
A fresh PostgreSQL cluster is created in a temporary
folder, listens only on a Unix socket there, and is stopped and deleted when
the run ends, whether the tests pass or fail. Exit status: non-zero when any
run fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy.local_cluster import as_root
from tests.node_tools import ensure_node_tools


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a server process to stop; kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


PG_GLOB = "/usr/lib/postgresql/*/bin"


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob(PG_GLOB), key=lambda p: int(p.split("/")[-2]), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


_apt_updated = False


def _apt_install(package: str) -> None:
    global _apt_updated
    print(f"== Installing {package} from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        subprocess.run(as_root(["apt-get", "update", "-q"]), check=True, env=env)
        _apt_updated = True
    subprocess.run(as_root(["apt-get", "install", "-y", "-q", package]), check=True, env=env)


def ensure_postgres() -> Path:
    pg_bin = _pg_bin()
    if pg_bin is not None:
        return pg_bin
    _apt_install("postgresql")
    pg_bin = _pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL binaries not found after installing the package.")
    return pg_bin


def ensure_chromium() -> str:
    """Debian's Chromium, for the test that opens the docs page (installed when missing)."""
    found = shutil.which("chromium")
    if found is None:
        _apt_install("chromium")
        found = shutil.which("chromium")
    if found is None:
        raise SystemExit("chromium not found after installing the package.")
    return found


def ensure_poppler() -> str:
    """Debian's poppler-utils (pdftoppm, pdftotext), for the progress report tests."""
    found = shutil.which("pdftoppm")
    if found is None:
        _apt_install("poppler-utils")
        found = shutil.which("pdftoppm")
    if found is None:
        raise SystemExit("pdftoppm not found after installing poppler-utils.")
    return found


def ensure_cluster_packages() -> None:
    """Debian's haproxy and pgbouncer, for deploy/local-cluster (installed when missing)."""
    for binary in ("haproxy", "pgbouncer"):
        if shutil.which(binary, path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
            _apt_install(binary)


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, reachable through a Unix socket."""

    #: What the test suite runs with: nothing waits for the disk (a crash loses the
    #: cluster, which is thrown away anyway).
    NOT_DURABLE = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

    def __init__(self, pg_bin: Path, *, durable: bool = False) -> None:
        """``durable``: PostgreSQL's own defaults (each commit flushed to the disk), as in
        production, instead of ``NOT_DURABLE``."""
        self.pg_bin = pg_bin
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="upright-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.root, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.user = "postgres" if self.run_as else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> str:
        self._run(
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        )
        self.resume()
        self._run(
            str(self.pg_bin / "createdb"),
            "-h",
            str(self.socket_dir),
            "-U",
            self.user,
            "upright_test",
        )
        return f"postgresql+psycopg://{self.user}@/upright_test?host={self.socket_dir}"

    def pause(self) -> None:
        """Stop the server but keep its data (to simulate an outage)."""
        self._run(
            str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
        )

    def resume(self) -> None:
        """Start the server on the existing data folder."""
        self._run(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            self._options(),
            "start",
        )

    def _options(self) -> str:
        return (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
            f"{'' if self.durable else self.NOT_DURABLE + ' '}-c max_connections=200"
        )

    def stop(self) -> None:
        try:
            subprocess.run(
                [
                    *self.run_as,
                    str(self.pg_bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def ensure_redis() -> str:
    """The path of redis-server, installed from Debian's packages when missing."""
    found = shutil.which("redis-server")
    if found:
        return found
    print("== Installing redis-server from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(as_root(["apt-get", "update", "-q"]), check=True, env=env)
    subprocess.run(as_root(["apt-get", "install", "-y", "-q", "redis-server"]), check=True, env=env)
    found = shutil.which("redis-server")
    if found is None:
        raise SystemExit("redis-server not found after installing the package.")
    return found


class ThrowawayRedis:
    """A redis-server on a free loopback port, with no persistence, always stopped."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="upright-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> str:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind", "127.0.0.1",
                "--port", str(port),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.root),
                "--protected-mode", "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    return f"redis://127.0.0.1:{port}/0"
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise SystemExit("redis-server did not start.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process, timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)


class _Run:
    """One pytest run in a subprocess, its output kept in a file until it ends."""

    def __init__(self, args: list[str], env_extra: dict[str, str], label: str) -> None:
        self.label = label
        self.output = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in finish)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
            env={**os.environ, **env_extra},
            stdout=self.output,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def finish(self) -> int:
        code = self.process.wait()
        self.output.seek(0)
        print(f"\n== Test suite on {self.label}", flush=True)
        sys.stdout.write(self.output.read())
        self.output.close()
        print(
            f"== {self.label}: exit {code} in {time.monotonic() - self.started:.0f} s", flush=True
        )
        return code


def main(argv: list[str]) -> int:
    """Both engines run at the same time (one per core); their outputs follow each other."""
    args = argv or ["-q"]
    os.environ.pop("TEST_DATABASE_URL", None)
    pg_bin = ensure_postgres()  # also used by the fault tests of both runs
    ensure_chromium()  # the docs page test of both runs
    ensure_poppler()  # the progress report tests render the PDF's pages
    ensure_node_tools()  # the OpenAPI lint tests of both runs
    ensure_cluster_packages()  # HAProxy and PgBouncer, for the cluster tests (PostgreSQL run)
    server = ThrowawayPostgres(pg_bin)
    redis = ThrowawayRedis(ensure_redis())  # the job queue's broker, for the worker tests
    try:
        url = server.start()
        redis_url = redis.start()
        # each run gets its own Redis database, so their queues never mix
        sqlite_run = _Run(args, {"TEST_REDIS_URL": redis_url[:-1] + "1"}, "SQLite")
        pg_run = _Run(
            args,
            {
                "TEST_DATABASE_URL": url,
                "TEST_REDIS_URL": redis_url[:-1] + "2",
                # tests/deploy: deploy/local-cluster with its own PostgreSQL, PgBouncer,
                # Redis, HAProxy and 2 servers (about 2 minutes, in this run only)
                "UPRIGHT_CLUSTER_TESTS": "1",
            },
            "PostgreSQL",
        )
        sqlite_code = sqlite_run.finish()
        pg_code = pg_run.finish()
    finally:
        redis.stop()
        server.stop()
    print(f"\n== Summary: SQLite exit {sqlite_code}, PostgreSQL exit {pg_code}", flush=True)
    return 1 if (sqlite_code or pg_code) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
