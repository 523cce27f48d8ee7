"""A throwaway PostgreSQL server for the benchmarks (standard library only), the way the tests start theirs
(tests/AgentHost.TestSupport/PostgresServer.cs): Debian's initdb/pg_ctl/createdb (the newest
/usr/lib/postgresql/<version>/bin, else PATH) on a temporary data folder, listening on a free 127.0.0.1 port only,
trusted logins for user `postgres`, stopped by its PID. PostgreSQL refuses to run as root: as root the server runs as
the `postgres` system user (created when missing) through runuser, which owns the data folder.

Unlike the tests' server, this one keeps fsync and full-page writes on (a benchmark should not measure a database
that may corrupt itself on a crash) and sets synchronous_commit=off, the durability the SQLite store has with WAL and
synchronous=NORMAL: a crash may lose the last commits, never the database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PROGRAMS = ("initdb", "pg_ctl", "postgres", "createdb")


def find_bin() -> str | None:
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted((int(d.name), d / "bin") for d in root.iterdir() if d.name.isdigit())
        for _, folder in reversed(versions):
            if all((folder / p).exists() for p in PROGRAMS):
                return str(folder)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder and all(os.path.exists(os.path.join(folder, p)) for p in PROGRAMS):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """Start with PostgresServer.start(); `uri(name)` creates a database and returns its postgres:// URI; stop()."""

    def __init__(self, bin_dir: str, folder: Path, port: int, pid: int, as_postgres: bool) -> None:
        self.bin = bin_dir
        self.folder = folder
        self.port = port
        self.pid = pid
        self.as_postgres = as_postgres
        self.version = subprocess.run([os.path.join(bin_dir, "postgres"), "--version"], capture_output=True, text=True).stdout.strip()

    @staticmethod
    def _run(command: list[str], as_postgres: bool) -> None:
        if as_postgres:
            command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{os.path.basename(command[0 if not as_postgres else 4])} failed ({result.returncode}): {result.stderr}{result.stdout}")

    @classmethod
    def start(cls, max_connections: int = 300) -> "PostgresServer":
        bin_dir = find_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl, postgres, createdb; Debian package 'postgresql') are not installed")
        folder = Path(tempfile.mkdtemp(prefix="agent-bench-pg."))
        data = folder / "data"
        as_postgres = os.geteuid() == 0
        if as_postgres:
            with open("/etc/passwd") as passwd:
                if not any(line.startswith("postgres:") for line in passwd):
                    cls._run(["/usr/sbin/useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], False)
            cls._run(["/usr/bin/chown", "-R", "postgres:", str(folder)], False)
        cls._run([os.path.join(bin_dir, "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"], as_postgres)
        for attempt in range(4):
            port = free_port()
            options = (f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c synchronous_commit=off "
                       f"-c max_connections={max_connections}")
            try:
                cls._run([os.path.join(bin_dir, "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"),
                          "-w", "-t", "60", "start"], as_postgres)
            except RuntimeError:
                if attempt == 3:
                    raise
                continue  # the port was taken meanwhile
            pid = int((data / "postmaster.pid").read_text().splitlines()[0])
            return cls(bin_dir, folder, port, pid, as_postgres)
        raise RuntimeError("unreachable")

    def uri(self, name: str) -> str:
        self._run([os.path.join(self.bin, "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name], False)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGINT)  # fast shutdown
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and os.path.exists(f"/proc/{self.pid}"):
                time.sleep(0.1)
        except ProcessLookupError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
