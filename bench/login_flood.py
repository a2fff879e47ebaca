#!/usr/bin/env python3
"""Memory under a login flood from many addresses (see docs/performance.md).

  python3 bench/login_flood.py PROJECT_DIR BINARY [LOGINS] [ADDRESSES] [ENV=VALUE...]

Starts BINARY (a generated project's server, debug or release) in PROJECT_DIR with a
fresh SQLite database and bench/generated.env plus any ENV=VALUE given, records its idle
RSS, then fires LOGINS (256) wrong-password logins at once, spread over ADDRESSES (64)
loopback source addresses 127.0.0.2.. (each client socket is bound to its address, so a
per-IP rate limit sees many clients). While they run, /proc/PID/status is polled for the
peak RSS (VmHWM, and the highest VmRSS seen); it prints one JSON line: idle RSS, peak
RSS, RSS 2 s after the flood, the status counts, and how long the flood took.
Loopback only: nothing leaves the machine.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from bench import generated_env, proc_status, request  # bench.py, beside this file

PORT = 18197


class SourceBoundConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket is bound to `source` (a 127.0.0.x address)."""

    def __init__(self, source, *args, **kwargs):
        super().__init__(*args, source_address=(source, 0), **kwargs)


def rss_kb(pid):
    return proc_status(pid, "VmRSS")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    project, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    rest = sys.argv[3:]
    numbers = [a for a in rest if "=" not in a]
    extra = dict(a.split("=", 1) for a in rest if "=" in a)
    logins = int(numbers[0]) if numbers else 256
    addresses = int(numbers[1]) if len(numbers) > 1 else 64

    work = tempfile.mkdtemp(prefix="login-flood-")
    env = dict(os.environ, **generated_env(), **extra)
    env.update(HOST="127.0.0.1", PORT=str(PORT), RUST_LOG="warn",
               DATABASE_URL=f"sqlite://{work}/flood.db")
    server = subprocess.Popen([binary], cwd=project, env=env,
                              stdout=open(f"{work}/server.log", "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                status, _ = request(http.client.HTTPConnection("127.0.0.1", PORT, timeout=2),
                                    "GET", "/health")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"server did not start; see {work}/server.log")
        time.sleep(1)
        idle = rss_kb(server.pid)

        statuses = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(logins)

        def one_login(i):
            source = f"127.0.0.{2 + i % addresses}"
            try:
                conn = SourceBoundConnection(source, "127.0.0.1", PORT, timeout=120)
                conn.connect()
                barrier.wait()  # every connection open, then all at once
                status, _ = request(conn, "POST", "/v1/auth/login",
                                    {"email": f"flood{i}@example.com", "password": "wrong password"})
            except (OSError, threading.BrokenBarrierError) as err:
                status = type(err).__name__
            with lock:
                statuses[status] += 1

        peak_rss = idle
        threads = [threading.Thread(target=one_login, args=(i,)) for i in range(logins)]
        start = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak_rss = max(peak_rss, rss_kb(server.pid))
            time.sleep(0.005)
        took = time.monotonic() - start
        for t in threads:
            t.join()
        time.sleep(2)
        print(json.dumps({
            "logins": logins, "addresses": addresses, "settings": extra,
            "idle_rss_mib": round(idle / 1024, 1),
            "peak_rss_mib": round(max(peak_rss, proc_status(server.pid, "VmHWM")) / 1024, 1),
            "rss_after_mib": round(rss_kb(server.pid) / 1024, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "seconds": round(took, 2),
        }))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
