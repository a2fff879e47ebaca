#!/usr/bin/env python3
"""GraphQL and gRPC, each against its own ceiling (bench/protocol_ceilings; see
docs/performance.md).

  python3 bench/protocols.py callgrind PROJECT_DIR BINARY graphql|grpc get|list [REQUESTS]
  python3 bench/protocols.py load PROJECT_DIR BINARY graphql|grpc get|list [DURATION]

BINARY is the generated app (started in PROJECT_DIR with bench/generated.env, as
bench/callgrind.py and bench/run.sh do) or a ceiling: graphql_ceiling, grpc_ceiling.
GRPC_CLIENT (default: grpc_client beside BINARY, else $CARGO_TARGET_DIR/apps/release/
grpc_client, CARGO_TARGET_DIR defaulting to target/) is the h2c client of
bench/protocol_ceilings.

Either way: a fresh SQLite file; where the app has accounts (the generated app's REST
routes answer) a user registers, is promoted to admin with BINARY's `promote-admin` (only
admins write items) and logs in, and its bearer token goes with every request; then SEED
items are created through the protocol itself (GraphQL `createItem`, gRPC `CreateItem`).

- `get`: GraphQL `item(id)` / gRPC `GetItem`, all five fields of the item;
  `list`: GraphQL `items(limit: 20, offset)` / gRPC `ListItems` (limit 20), a page of
  20 with `limit`, `offset` and `total`.
- callgrind: the server under `valgrind --tool=callgrind`; 200 warm-up requests on one
  connection (HTTP/1.1 keep-alive for GraphQL, one HTTP/2 connection for gRPC), the
  counters zeroed, REQUESTS (1000) more, dumped: instructions per request, independent of
  the machine's load. `get` asks for the first seeded item, `list` for offset 0. The
  profile is bench/.work/callgrind.out.2 (`callgrind_annotate --inclusive=yes`).
- load: the server pinned to CPU SERVER_CPU (0), the load tool to CLIENT_CPU (1), CONNS
  (32) connections with one request in flight each, WARMUP (2) s unrecorded then DURATION
  (10) s recorded. GraphQL: wrk with bench/wrk_graphql.lua (`get`: a random seeded id,
  `list`: a random offset); gRPC: h2load (h2c, one body: the first seeded id or offset 0),
  latency percentiles from its per-request log. Prints one JSON line: req/s, p50/p99,
  server CPU µs per request, the load average and the CPU other processes used.
"""
import glob
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time

from bench import cpu_times, generated_env, login, proc_ticks, promote, request, TCK  # beside this file

BENCH = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(BENCH, ".work")
PORT = int(os.environ.get("PORT", "18199"))
SEED = int(os.environ.get("SEED", "1000"))
USER = {"email": "protocols@example.com", "password": "protocols-password-1", "name": "Protocols"}
FIELDS = "id name email createdAt updatedAt"
GET_QUERY = "query Item($id: UUID!) { item(id: $id) { %s } }" % FIELDS
LIST_QUERY = ("query Items($limit: Int, $offset: Int) { items(limit: $limit, offset: $offset) "
              "{ items { %s } limit offset total } }" % FIELDS)
CREATE_QUERY = "mutation Create($input: ItemInput!) { createItem(input: $input) { id } }"


def grpc_client(binary):
    if os.environ.get("GRPC_CLIENT"):
        return os.environ["GRPC_CLIENT"]
    beside = os.path.join(os.path.dirname(binary), "grpc_client")
    if os.path.exists(beside):
        return beside
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(BENCH), "target"))
    return os.path.join(target, "apps", "release", "grpc_client")


def graphql_body(query, variables):
    return {"query": query, "variables": variables}


def graphql(conn, query, variables, token):
    status, data = request(conn, "POST", "/v1/graphql", graphql_body(query, variables), token)
    body = json.loads(data) if data else {}
    if status != 200 or body.get("errors") or not body.get("data"):
        sys.exit(f"GraphQL: {status} {data[:300]!r}")
    return body["data"]


def wait_for_port(server):
    for _ in range(600):
        if server.poll() is not None:
            sys.exit("the server exited")
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not start")


def accounts(project, binary, env):
    """The bearer token of an admin where the app has accounts, else None. A server that
    speaks no HTTP/1.1 (the gRPC ceiling) or answers 404 (the ceilings) has none."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        token = login(conn, USER)
    except (OSError, http.client.HTTPException):
        return None
    if token is None:
        return None
    return promote(conn, binary, project, env, USER)


def seed(protocol, binary, token, n):
    """Creates n items through the protocol; their ids."""
    if protocol == "grpc":
        out = subprocess.run([grpc_client(binary), "seed", f"http://127.0.0.1:{PORT}", str(n)],
                             env=dict(os.environ, GRPC_TOKEN=token or ""), check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return out.split()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    return [graphql(conn, CREATE_QUERY,
                    {"input": {"name": f"Seed item {i}", "email": f"seed{i}@example.com"}},
                    token)["createItem"]["id"] for i in range(n)]


def server_env(db):
    return dict(os.environ, **generated_env(), HOST="127.0.0.1", PORT=str(PORT),
                DATABASE_URL=f"sqlite://{db}", RUST_LOG=os.environ.get("RUST_LOG", "info"))


def fresh(*patterns):
    os.makedirs(WORK, exist_ok=True)
    for pattern in patterns:
        for stale in glob.glob(os.path.join(WORK, pattern)):
            os.remove(stale)


def stop(server):
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def callgrind(project, binary, protocol, operation, requests):
    fresh("callgrind.out*", "protocols-callgrind.db*")
    out = os.path.join(WORK, "callgrind.out")
    db = os.path.join(WORK, "protocols-callgrind.db")
    env = server_env(db)
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary],
                              cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    control = lambda command: subprocess.run(["callgrind_control", command, str(server.pid)], env=env,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    try:
        wait_for_port(server)
        token = accounts(project, binary, env)
        ids = seed(protocol, binary, token, int(os.environ.get("CALLGRIND_SEED", "50")))
        if protocol == "grpc":
            client = subprocess.Popen(
                [grpc_client(binary), "bench", f"http://127.0.0.1:{PORT}", operation, ids[0],
                 "200", str(requests)],
                env=dict(os.environ, GRPC_TOKEN=token or ""), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True)
            if client.stdout.readline().strip() != "warm":
                sys.exit("grpc_client failed in the warm-up")
            control("-d")  # dump 1: start-up, login, seeding and warm-up
            client.stdin.write("\n")
            client.stdin.flush()
            if client.stdout.readline().strip() != "done":
                sys.exit("grpc_client failed")
            control("-d")  # dump 2: exactly the measured calls
            client.stdin.write("\n")
            client.stdin.flush()
            client.wait()
        else:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            query, variables = ((GET_QUERY, {"id": ids[0]}) if operation == "get"
                                else (LIST_QUERY, {"limit": 20, "offset": 0}))
            for _ in range(200):
                graphql(conn, query, variables, token)
            control("-d")
            for _ in range(requests):
                graphql(conn, query, variables, token)
            control("-d")
    finally:
        stop(server)
    profile = out + ".2"
    total = next(int(m.group(1)) for line in open(profile) if (m := re.match(r"summary: (\d+)", line)))
    print(json.dumps({"protocol": protocol, "operation": operation, "binary": os.path.basename(binary),
                      "k_instructions_per_request": round(total / requests / 1000, 1),
                      "requests": requests, "profile": profile}))


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def load(project, binary, protocol, operation, duration):
    name = os.path.basename(binary)
    fresh(f"protocols-{name}.db*")
    db = os.path.join(WORK, f"protocols-{name}.db")
    data = os.path.join(WORK, f"protocols-{name}-data")
    os.makedirs(data, exist_ok=True)
    env = server_env(db)
    server_cpu, client_cpu = os.environ.get("SERVER_CPU", "0"), os.environ.get("CLIENT_CPU", "1")
    conns, warmup = os.environ.get("CONNS", "32"), os.environ.get("WARMUP", "2")
    server = subprocess.Popen(["taskset", "-c", server_cpu, binary], cwd=project, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(server)
        token = accounts(project, binary, env)
        ids = seed(protocol, binary, token, SEED)
        with open(os.path.join(data, "token"), "w") as f:
            f.write(token or "")
        with open(os.path.join(data, "ids"), "w") as f:
            f.write("\n".join(ids) + "\n")
        url = f"http://127.0.0.1:{PORT}"
        pin = ["taskset", "-c", client_cpu]
        if protocol == "grpc":
            body = os.path.join(data, f"{operation}.body")
            with open(body, "wb") as f:
                f.write(subprocess.run([grpc_client(binary), "frame", operation, ids[0]],
                                       check=True, stdout=subprocess.PIPE).stdout)
            method = "GetItem" if operation == "get" else "ListItems"
            headers = ["-H", "content-type: application/grpc", "-H", "te: trailers"]
            if token:
                headers += ["-H", f"authorization: Bearer {token}"]
            log = os.path.join(data, "h2load.log")
            tool = lambda seconds: pin + ["h2load", "-t1", f"-c{conns}", "-m1", f"-D{seconds}",
                                          "-d", body, *headers, "--log-file", log,
                                          f"{url}/benchapi.v1.ItemService/{method}"]
        else:
            tool = lambda seconds: pin + ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency",
                                          "-s", os.path.join(BENCH, "wrk_graphql.lua"), url]
        tool_env = dict(os.environ, BENCH_ENDPOINT=operation, BENCH_DIR=data)
        subprocess.run(tool(warmup), env=tool_env, stdout=subprocess.DEVNULL, check=True)
        if protocol == "grpc":
            os.remove(log)  # h2load appends to its log: keep only the recorded run's requests
        command = tool(duration)
        load1 = os.getloadavg()[0]
        b0, _ = cpu_times()
        s0 = proc_ticks(server.pid)
        p = subprocess.Popen(command, env=tool_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        text = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        s1 = proc_ticks(server.pid)
        b1, _ = cpu_times()
        if status != 0:
            sys.exit(f"load tool failed:\n{text}")
        server_s = (s1 - s0) / TCK
        tool_s = ru.ru_utime + ru.ru_stime
        if protocol == "grpc":
            # h2load's log: start time (µs), HTTP status, request time (µs), a line per request.
            lines = [line.split() for line in open(log) if line.strip()]
            times = sorted(int(fields[2]) for fields in lines)
            non_2xx = sum(1 for fields in lines if not fields[1].startswith("2"))
            m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", text)
            rps = float(m.group(3))
            errors = re.search(r"requests: .*?(\d+) failed, (\d+) errored", text)
            result = dict(requests=len(times), rps=rps, p50_us=percentile(times, 50),
                          p99_us=percentile(times, 99), non_2xx=non_2xx,
                          failed=int(errors.group(1)) + int(errors.group(2)) if errors else None)
        else:
            d = json.loads(re.search(r"^BENCH (\{.*\})$", text, re.M).group(1))
            result = dict(requests=d["requests"], rps=d["requests"] / (d["duration_us"] / 1e6),
                          p50_us=d["p50_us"], p99_us=d["p99_us"], non_2xx=d["status_errors"],
                          failed=d["socket_errors"])
        result.update(protocol=protocol, operation=operation, binary=name, conns=int(conns),
                      duration_s=int(duration), load_average_before=load1,
                      server_cpu_us_per_request=round(server_s / max(1, result["requests"]) * 1e6, 1),
                      server_cpu_pct=round(100 * server_s / int(duration)),
                      other_cpu_s=round((b1 - b0) / TCK - server_s - tool_s, 1),
                      command=" ".join(command))
        result["rps"] = round(result["rps"])
        print(json.dumps(result))
    finally:
        stop(server)


def main():
    args = sys.argv[1:]
    if len(args) < 5 or args[0] not in ("callgrind", "load") or args[3] not in ("graphql", "grpc") \
            or args[4] not in ("get", "list"):
        sys.exit(__doc__)
    mode, project, binary, protocol, operation = args[:5]
    binary = os.path.abspath(binary)
    if mode == "callgrind":
        callgrind(project, binary, protocol, operation, int(args[5]) if len(args) > 5 else 1000)
    else:
        load(project, binary, protocol, operation, args[5] if len(args) > 5 else "10")


if __name__ == "__main__":
    main()
