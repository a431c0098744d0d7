"""Load: 20 signed-in users at once on a real server (`sus serve`, with 1 and then 2 worker
processes), on the main pages and note saves (scenario.py), against /healthz alone in the
same run. Prints throughput, p50 and p99 per case, and what went wrong (must be nothing:
no answer >= 500, no connection error, no user sent to the login page).

Database: `sus demo` in a temporary SQLite file, or in SUS_DATABASE_URL if set (e.g. an
empty PostgreSQL database).
Usage: python bench/load/run.py [SECONDS] [CLIENTS]
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402

from bench.load import scenario  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 10
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sus = str(Path(sys.executable).with_name("sus"))
    proc = subprocess.Popen([sus, "serve", "--port", str(port), "--workers", str(workers)],
                            env={**env, "SUS_BASE_URL": base, "SUS_LOG_LEVEL": "WARNING"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def line(name: str, r: scenario.Result) -> str:
    wrong = len(r.server_errors) + len(r.errors) + len(r.sent_to_login)
    return (f"{name:<22} {r.requests / max(r.seconds, 1e-9):7.0f} req/s   "
            f"p50 {r.percentile(0.5) * 1000:7.1f} ms   p99 {r.percentile(0.99) * 1000:7.1f} ms   "
            f"{r.requests:6d} requests, {r.saves} saves, wrong: {wrong}")


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="sus-bench-load-")
    env = {**os.environ, "SUS_VAR_DIR": tmp,
           "SUS_SECRET_KEY": os.environ.get("SUS_SECRET_KEY",
                                            "bench-secret-key-long-enough-0123456789abcdef"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
    sus = str(Path(sys.executable).with_name("sus"))
    subprocess.run([sus, "demo"], env=env, check=True, capture_output=True)
    targets = scenario.demo_targets(env["SUS_DATABASE_URL"])
    health = scenario.Targets(pages=["/healthz"], sections=[])
    print(f"{CLIENTS} clients, {SECONDS:.0f} s each, database: "
          f"{env['SUS_DATABASE_URL'].split(':')[0]}")
    failed = []
    for workers in (1, 2):
        proc, base = serve(env, workers)
        try:
            for name, t in (("page mix", targets), ("/healthz", health)):
                r = scenario.run(base, t, clients=CLIENTS, seconds=SECONDS)
                print(line(f"{workers} worker(s) {name}", r), flush=True)
                failed += r.server_errors + r.errors + r.sent_to_login
            status, took = scenario.healthz_after(base)
            print(f"{workers} worker(s) /healthz after the load: {status} in {took * 1000:.0f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    if failed:
        print("went wrong:", *failed[:20], sep="\n  ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
