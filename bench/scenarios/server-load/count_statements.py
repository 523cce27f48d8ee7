#!/usr/bin/env python3
"""Counts the SQL statements and transactions one scripted `agent serve` run makes on the PostgreSQL store (stdlib only).

  count_statements.py --agent AGENT [--runs 5]

Starts a throwaway PostgreSQL server (bench/lib/postgres_server.py) and `agent serve` on it the way the server-load
scenario does, opens a session and its SSE stream, sends one untimed prompt (warm-up), then sets `log_statement = all`
on the server, sends --runs prompts one after another (each waiting for its `run.ended`) and reads the server's log:
statements per run, per kind (the first words of the statement), transactions (BEGIN) and autocommitted statements.
Every statement PostgreSQL executes is logged once (`execute <unnamed>: …` for the extended protocol), whether it came
alone or in a batch, so this counts statements, not round trips (a batch of five is five here).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))
import scenario  # noqa: E402  (this folder)
from postgres_server import PostgresServer  # noqa: E402  (bench/lib)

STATEMENT = re.compile(r"LOG:  (?:execute [^:]*|statement): (.*)$")


def kind(sql: str) -> str:
    words = re.sub(r"\s+", " ", sql).strip()
    if words.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        return words.split(" ")[0].upper()
    table = re.search(r"\b(?:INTO|UPDATE|FROM)\s+([a-z_]+)", words, re.IGNORECASE)
    return f"{words.split(' ')[0].upper()} {table.group(1) if table else ''}".strip() + (" FOR UPDATE" if "FOR NO KEY UPDATE" in words else "")


def log_statements(pg: PostgresServer, value: str) -> None:
    for sql in (f"ALTER SYSTEM SET log_statement = '{value}'", "SELECT pg_reload_conf()"):  # ALTER SYSTEM: not in a transaction block
        subprocess.run([os.path.join(pg.bin, "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "postgres", "-qc", sql],
                       check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="also print each distinct statement with its count")
    args = parser.parse_args()
    pg = PostgresServer.start()
    server = None
    try:
        uri = pg.uri("probe")
        work = Path(tempfile.mkdtemp(prefix="agent-probe."))
        server = scenario.Server(args.agent, work, turns=args.runs + 2, store=uri)
        conn = server.connect()
        status, body = server.request(conn, "POST", "/v1/sessions", {})
        session = scenario.Session(server, scenario.check(status, body, 201, "create session")["id"])
        if not session.open_events():
            raise RuntimeError("no SSE stream")
        session.send_first_event()  # warm-up: the first run also loads what later runs find ready
        time.sleep(1)  # the journal writer appends the run's last events after run.ended reached the client
        log = pg.folder / "server.log"
        log_statements(pg, "all")
        time.sleep(1)
        start = log.stat().st_size
        for _ in range(args.runs):
            session.send_first_event()
        time.sleep(1)
        log_statements(pg, "none")
        text = log.read_bytes()[start:].decode(errors="replace")
        sqls = [re.sub(r"\s+", " ", m.group(1)) for line in text.splitlines() if (m := STATEMENT.search(line))]
        sqls = [sql for sql in sqls if not sql.startswith(("ALTER SYSTEM", "SELECT pg_reload_conf"))]  # the probe's own
        kinds = collections.Counter(kind(sql) for sql in sqls)
        # DISCARD ALL: Npgsql's reset of a pooled connection, sent in front of its next command (not a round trip of its own).
        total = sum(v for k, v in kinds.items() if k not in ("BEGIN", "COMMIT", "ROLLBACK", "DISCARD"))
        print(json.dumps({
            "runs": args.runs,
            "statements_per_run": round(total / args.runs, 2),
            "statements_per_run_note": "without BEGIN, COMMIT and Npgsql's DISCARD ALL (per_kind_per_run has them)",
            "transactions_per_run": round(kinds.get("BEGIN", 0) / args.runs, 2),
            "per_kind_per_run": {k: round(v / args.runs, 2) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])},
        }, indent=2))
        if args.show:
            for sql, count in collections.Counter(sqls).most_common():
                print(f"{count / args.runs:6.2f}  {sql[:160]}")
        session.close()
        return 0
    finally:
        if server is not None:
            server.stop()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
