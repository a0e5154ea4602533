"""A throwaway PostgreSQL cluster for the integration tests.

The cluster lives in a temporary directory, listens on 127.0.0.1 on a free
port (and on a unix socket inside that directory), and is removed on stop.
Administration goes through the unix socket with peer authentication as the
OS user that owns the cluster; the application role connects over TCP with a
password (scram-sha-256), exactly like a real deployment would.

When the tests run as root the cluster is owned by the ``postgres`` system
user, because initdb refuses to run as root.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence

import psycopg2

FALLBACK_BINDIRS = ("/usr/lib/postgresql/15/bin",)
BINDIR_ENV = "JOBC_PG_BINDIR"
CLUSTER_OWNER_WHEN_ROOT = "postgres"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL binaries are missing or the cluster could not start."""


def find_bindir() -> pathlib.Path:
    """Directory holding initdb/pg_ctl/psql: $JOBC_PG_BINDIR, pg_config --bindir, or the Debian path."""
    candidates: list[str] = []
    if os.environ.get(BINDIR_ENV):
        candidates.append(os.environ[BINDIR_ENV])
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(result.stdout.strip())
    candidates.extend(FALLBACK_BINDIRS)
    for candidate in candidates:
        path = pathlib.Path(candidate)
        if all((path / tool).is_file() for tool in ("initdb", "pg_ctl", "psql")):
            return path
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl, psql) not found; looked in: "
        + ", ".join(candidates)
        + f". Install PostgreSQL 15 (Debian: apt-get install postgresql-15) or set {BINDIR_ENV}."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class PostgresCluster:
    host: str
    port: int
    dbname: str
    user: str
    password: str = dataclasses.field(repr=False)
    base_dir: pathlib.Path
    bindir: pathlib.Path
    os_user: str | None  # None: the current user owns the cluster

    @property
    def data_dir(self) -> pathlib.Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> pathlib.Path:
        return self.base_dir / "socket"

    @property
    def log_file(self) -> pathlib.Path:
        return self.base_dir / "postgres.log"

    def credentials(self) -> dict[str, object]:
        """The secret a jobc task needs to reach the application database."""
        return {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.user,
            "password": self.password,
        }

    def connect(self, **overrides):
        """A psycopg2 connection as the application role (autocommit off)."""
        settings = {**self.credentials(), "connect_timeout": 10, **overrides}
        return psycopg2.connect(**settings)

    def execute(self, sql: str, params=None) -> None:
        """Run `sql` in one committed transaction."""
        connection = self.connect()
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            connection.close()

    def fetch(self, sql: str, params=None) -> list[tuple]:
        """All rows of a query, on a fresh connection."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def start(cls, dbname: str = "jobc", user: str = "jobc") -> PostgresCluster:
        bindir = find_bindir()
        os_user = CLUSTER_OWNER_WHEN_ROOT if os.geteuid() == 0 else None
        base_dir = pathlib.Path(tempfile.mkdtemp(prefix="jobc-pg-"))
        cluster = cls(
            host="127.0.0.1",
            port=free_port(),
            dbname=dbname,
            user=user,
            password=secrets.token_urlsafe(24),
            base_dir=base_dir,
            bindir=bindir,
            os_user=os_user,
        )
        try:
            cluster._init_and_start()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _init_and_start(self) -> None:
        if self.os_user is not None:
            owner = pwd.getpwnam(self.os_user)
            for path in (self.base_dir,):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(["mkdir", str(self.socket_dir)])
        # peer for the unix socket (admin as the owning OS user), passwords
        # over TCP: the application role can only log in with its password.
        self._run(
            [
                str(self.bindir / "initdb"),
                "--pgdata", str(self.data_dir),
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.socket_dir}'\n"
            # A throwaway cluster: durability is irrelevant, speed is not.
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
        )
        self._run(["sh", "-c", f"cat >> '{self.data_dir}/postgresql.conf'"], stdin=settings)
        self._run(
            [str(self.bindir / "pg_ctl"), "--pgdata", str(self.data_dir), "--log", str(self.log_file),
             "--wait", "--timeout", "60", "start"]
        )
        self._psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        self._psql(f"CREATE DATABASE {self.dbname} OWNER {self.user}")
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.connect().close()
                return
            except psycopg2.OperationalError as error:
                if time.monotonic() > deadline:
                    raise PostgresUnavailableError(
                        f"PostgreSQL on port {self.port} did not accept connections: {error}\n{self.log_tail()}"
                    ) from error
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run([str(self.bindir / "pg_ctl"), "--pgdata", str(self.data_dir), "--mode", "fast",
                           "--wait", "stop"])
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no PostgreSQL log)"

    # -- helpers ---------------------------------------------------------------

    def _psql(self, sql: str) -> None:
        self._run(
            [str(self.bindir / "psql"), "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1",
             "--host", str(self.socket_dir), "--port", str(self.port), "--dbname", "postgres", "--command", sql]
        )

    def _run(self, argv: Sequence[str], stdin: str | None = None) -> None:
        command = list(argv)
        if self.os_user is not None:
            command = ["runuser", "-u", self.os_user, "--", *command]
        # cwd: the cluster owner must be able to enter it.
        result = subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=self.base_dir, check=False, timeout=120
        )
        if result.returncode != 0:
            shown = " ".join(argv).replace(self.password, "***")
            raise PostgresUnavailableError(
                f"command failed ({result.returncode}): {shown}\n"
                f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}\n{self.log_tail()}"
            )
