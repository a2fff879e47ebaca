#!/usr/bin/env python3
"""Instructions per request, with a profile to read (see docs/performance.md).

  python3 bench/callgrind.py PROJECT_DIR BINARY PATH [REQUESTS] [--anonymous]

Starts BINARY in PROJECT_DIR under `valgrind --tool=callgrind` (bench/generated.env,
as run.sh), registers and logs in where the app has accounts, creates one item when PATH
has `{id}` (which becomes its id; where only admins write, the user is promoted first with
BINARY's `promote-admin`), sends 200 warm-up requests to PATH on one keep-alive
connection (with the bearer token unless --anonymous), zeroes the counters, sends
REQUESTS (1000) more and dumps. The instruction count does not
depend on the machine's load; the profile is bench/.work/callgrind.out.2, to read with
`callgrind_annotate --inclusive=yes`. Under valgrind SHA-256 runs without the CPU's
SHA extensions, which overstates HS256 verification (see the doc).
"""
import glob
import http.client
import json
import os
import re
import subprocess
import sys
import time

from bench import generated_env, login, promote, request  # bench.py, beside this file

PORT = 18199
WORK = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".work")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) < 3:
        sys.exit(__doc__)
    project, binary, path = args[0], os.path.abspath(args[1]), args[2]
    requests = int(args[3]) if len(args) > 3 else 1000
    anonymous = "--anonymous" in sys.argv
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, "callgrind.out")
    db = os.path.join(WORK, "callgrind.db")
    for stale in glob.glob(out + "*") + glob.glob(db + "*"):
        os.remove(stale)
    env = dict(os.environ, **generated_env(), HOST="127.0.0.1", PORT=str(PORT),
               DATABASE_URL=f"sqlite://{db}", RUST_LOG=os.environ.get("RUST_LOG", "info"))
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # callgrind_control finds the process by the HOST it was started with.
    control = lambda command: subprocess.run(["callgrind_control", command, str(server.pid)], env=env,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    try:
        conn = connect()
        user = {"email": "callgrind@example.com", "password": "callgrind-password-1", "name": "Callgrind"}
        token = login(conn, user)
        target = path
        if "{id}" in path:
            status, body = request(conn, "POST", "/v1/items", {"name": "a", "email": "a@example.com"}, token)
            if status == 403:  # only admins write (`--writes admin`, the default): promote, log in again
                token = promote(conn, binary, project, env, user)
                status, body = request(conn, "POST", "/v1/items", {"name": "a", "email": "a@example.com"}, token)
            if status != 201:
                sys.exit(f"POST /v1/items: {status} {body[:300]!r}")
            target = path.replace("{id}", json.loads(body)["id"])
        if anonymous:
            token = None
        for _ in range(200):
            request(conn, "GET", target, token=token)
        control("-d")  # dump 1: start-up, login and warm-up
        for _ in range(requests):
            status, body = request(conn, "GET", target, token=token)
            if status != 200:
                sys.exit(f"GET {target}: {status} {body[:300]!r}")
        control("-d")  # dump 2: exactly the measured requests
    finally:
        server.terminate()
        server.wait()
    profile = out + ".2"
    total = next(int(m.group(1)) for line in open(profile) if (m := re.match(r"summary: (\d+)", line)))
    print(f"{path}: {total / requests / 1000:.1f} k instructions per request ({requests} requests); "
          f"profile: {profile}")


def connect():
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            conn.request("GET", "/health")
            conn.getresponse().read()
            return conn
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not start")


if __name__ == "__main__":
    main()
