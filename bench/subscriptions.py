#!/usr/bin/env python3
"""GraphQL subscriptions of a generated project: the memory per idle subscriber and the
fan-out, writes per second delivered to N subscribers (see docs/performance.md, "GraphQL
subscriptions: idle subscribers and fan-out"). bench/subscriptions.sh generates, builds
and runs it.

The project: `apigen new … --protocol rest,graphql --auth jwt --db sqlite` with
`apigen add resource items --fields name:string,email:string:unique`; BINARY is its
release build. Needs the `websockets` package (15+), as bench/sockets.py.

  subscriptions.py run PROJECT_DIR BINARY [--subscribers 1,10,100,1000] [--writes 200]
                       [--writers 4] [--selection id|item] [--idle-seconds 5]

For each N in --subscribers, a fresh server (a fresh SQLite file, bench/generated.env,
the socket caps raised to N) pinned to CPU SERVER_CPU (0), this script to CLIENT_CPU (1):

1. one user registers, is promoted to admin with BINARY's `promote-admin` (only admins
   write items) and logs in; four sockets are opened and closed, so what the first socket
   allocates is in the baseline; the server's VmRSS is read;
2. N sockets to `/v1/graphql/ws` (`graphql-transport-ws`, the caller's bearer token on
   the handshake) each send `connection_init` and subscribe to
   `subscription { itemChanges { kind id } }` (`--selection item` adds
   `item { id name email }`: one read of the row per subscriber and change). Writes
   until every socket has received a change prove all N subscribed (a subscription
   has no acknowledgement);
3. after --idle-seconds, VmRSS again: bytes per idle subscriber = the growth / N (each
   VmRSS read once it holds still; `table` shows it from 1,000 subscribers on, below
   which the allocator's own ups and downs outweigh the sockets);
4. --writes `createItem` mutations over HTTP (keep-alive), --writers connections each
   with one in flight, as fast as the server answers; every subscriber counts the
   changes it receives until it has them all or 10 s pass after the last answer.

Per N it prints one JSON line: writes/s (writes / the time from the first write to the
last answer), deliveries/s (changes received by all subscribers / the time from the
first write to the last change received), the delay from sending a write to each
subscriber receiving its change (p50/p99), changes lost, the server's CPU µs per write
and per delivery, and this script's own CPU share (near 100%: the client, not the
server, was the limit; the figures are then a floor).

  subscriptions.py table RESULTS.jsonl     the lines of one or more runs as a Markdown table
"""
import argparse
import asyncio
import http.client
import json
import os
import sys
import tempfile
import time

from bench import TCK, generated_env, login, proc_ticks, promote  # beside this file
from sockets import Http, Load, Server, emit, percentiles, raise_nofile

try:
    from websockets.asyncio.client import connect
except ImportError:
    sys.exit("needs the `websockets` package (15+): python3 -m venv .venv && .venv/bin/pip install websockets")

USER = {"email": "subscriptions@example.com", "password": "subscriptions-password-1", "name": "Subscriber"}
CREATE = "mutation Create($input: ItemInput!) { createItem(input: $input) { id } }"
SELECTIONS = {
    "id": "subscription { itemChanges { kind id } }",
    "item": "subscription { itemChanges { kind id item { id name email } } }",
}


async def subscribe(port, token, query):
    """A `graphql-transport-ws` socket, initialised and subscribed to `query`."""
    ws = await connect(f"ws://127.0.0.1:{port}/v1/graphql/ws",
                       additional_headers={"Authorization": f"Bearer {token}"},
                       subprotocols=["graphql-transport-ws"], compression=None,
                       ping_interval=None, open_timeout=60, close_timeout=5)
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    ack = json.loads(await ws.recv())
    if ack.get("type") != "connection_ack":
        raise RuntimeError(f"connection_init: {ack}")
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


class Subscriber:
    """Reads one socket's changes: the arrival time of each item id."""

    def __init__(self, ws):
        self.ws = ws
        self.arrived = {}
        self.errors = []
        self.task = asyncio.create_task(self.read())

    async def read(self):
        async for frame in self.ws:
            now = time.perf_counter()
            message = json.loads(frame)
            if message.get("type") != "next":
                continue
            payload = message["payload"]
            if payload.get("errors"):
                self.errors.append(payload["errors"])
                continue
            self.arrived[payload["data"]["itemChanges"]["id"]] = now


async def create(conn, token, n):
    body = {"query": CREATE, "variables": {"input": {"name": f"n{n}", "email": f"s{n}-{time.time_ns()}@example.com"}}}
    status, answer = await conn.request("POST", "/v1/graphql", body, token)
    if status != 200 or answer.get("errors"):
        sys.exit(f"createItem: {status} {answer}")
    return answer["data"]["createItem"]["id"]


async def settled_rss(server):
    """The server's VmRSS once it stops changing (the allocator gives back what logging
    in, argon2, took a while after), or after 15 s."""
    last = server.rss_kb()
    for _ in range(30):
        await asyncio.sleep(0.5)
        now = server.rss_kb()
        if now == last:
            return now
        last = now
    return last


async def wait_until(done, timeout):
    """Polls `done()` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if done():
            return True
        await asyncio.sleep(0.01)
    return False


async def run_one(args, n):
    env = dict(generated_env(), RUST_LOG="info", WS_MAX_PER_CLIENT=str(n + 16),
               WS_MAX_CONNECTIONS=str(n + 64), JWT_SECRET=os.urandom(32).hex(),
               DATABASE_URL=f"sqlite://{os.path.join(args.work, f'subs-{n}.db')}?mode=rwc")
    server = Server(args.project, args.binary, args.port, env, os.path.join(args.work, f"server-{n}.log"))
    os.sched_setaffinity(server.pid, {int(os.environ.get("SERVER_CPU", "0"))})
    subscribers = []
    try:
        token = admin_token(args, env)
        query = SELECTIONS[args.selection]
        for ws in [await subscribe(args.port, token, query) for _ in range(4)]:
            await ws.close()
        rss0 = await settled_rss(server)
        gate = asyncio.Semaphore(64)

        async def one():
            async with gate:
                return Subscriber(await subscribe(args.port, token, query))

        t0 = time.perf_counter()
        subscribers = await asyncio.gather(*(one() for _ in range(n)))
        opening_s = time.perf_counter() - t0
        # A subscription has no acknowledgement: writes until every socket has had a change.
        conn = Http(args.port)
        for attempt in range(30):
            await create(conn, token, -1 - attempt)
            if await wait_until(lambda: all(s.arrived for s in subscribers), 1):
                break
        else:
            sys.exit(f"not every subscriber got a change in 30 writes ({n} subscribers)")
        await asyncio.sleep(args.idle_seconds)
        rss_idle = await settled_rss(server)
        for s in subscribers:
            s.arrived.clear()

        load = Load()
        ticks0, cpu0 = proc_ticks(server.pid), os.times()
        sent = {}  # item id -> when its write was sent
        started = time.perf_counter()
        counter = iter(range(args.writes))

        async def writer():
            own = Http(args.port)
            for k in counter:
                t0 = time.perf_counter()
                sent[await create(own, token, k)] = t0
            own.close()

        await asyncio.gather(*(writer() for _ in range(args.writers)))
        writes_done = time.perf_counter()
        complete = await wait_until(
            lambda: all(all(i in s.arrived for i in sent) for s in subscribers), 10)
        ticks1, cpu1 = proc_ticks(server.pid), os.times()
        delays, last = [], writes_done
        for s in subscribers:
            for id_, at in s.arrived.items():
                if id_ in sent:
                    delays.append(1000 * (at - sent[id_]))
                    last = max(last, at)
        delivered = len(delays)
        expected = n * len(sent)
        server_us = 1e6 * (ticks1 - ticks0) / TCK
        client_s = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        p = percentiles(delays)
        record = {
            "part": "subscriptions", "selection": args.selection, "subscribers": n,
            "writes": len(sent), "writers": args.writers, "opening_s": round(opening_s, 1),
            "rss_before_kb": rss0, "rss_idle_kb": rss_idle,
            "bytes_per_subscriber": round((rss_idle - rss0) * 1024 / n),
            "writes_per_s": round(len(sent) / (writes_done - started), 1),
            "deliveries_per_s": round(delivered / (last - started), 1),
            "delivered": delivered, "lost": expected - delivered, "complete": complete,
            "delay_ms": {k: round(v, 2) for k, v in p.items() if k != "n"},
            "server_cpu_us_per_write": round(server_us / max(1, len(sent)), 1),
            "server_cpu_us_per_delivery": round(server_us / max(1, delivered), 2),
            "client_cpu_pct": round(100 * client_s / (last - started), 1),
            "errors": sum(len(s.errors) for s in subscribers),
            **load.done(),
        }
        emit(args, record)
        conn.close()
    finally:
        for s in subscribers:
            s.task.cancel()
            s.ws.transport.abort()
        server.stop()


def admin_token(args, env):
    """Registers the one user, promotes it and logs it in: its access token."""
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    login(conn, USER)
    token = promote(conn, args.binary, args.project, dict(os.environ, **env), USER)
    conn.close()
    return token


def table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    print("| selection | subscribers | bytes / idle subscriber | writes/s | deliveries/s | "
          "delay p50 / p99 ms | lost | server µs / write | server µs / delivery | "
          "client CPU % | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        d = r["delay_ms"]
        # Below 1,000 subscribers the allocator's own ups and downs outweigh them.
        memory = f"{r['bytes_per_subscriber']:,}" if r["subscribers"] >= 1000 else "–"
        print(f"| {r['selection']} | {r['subscribers']:,} | {memory} | "
              f"{r['writes_per_s']:,.0f} | {r['deliveries_per_s']:,.0f} | {d.get('p50', '–')} / "
              f"{d.get('p99', '–')} | {r['lost']} | {r['server_cpu_us_per_write']:,.0f} | "
              f"{r['server_cpu_us_per_delivery']} | {r['client_cpu_pct']} | "
              f"{r['load1_before']}–{r['load1_after']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["run", "table"])
    parser.add_argument("project")
    parser.add_argument("binary", nargs="?")
    parser.add_argument("--subscribers", default="1,10,100,1000")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--selection", choices=sorted(SELECTIONS), default="id")
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--port", type=int, default=18291)
    parser.add_argument("--json", default=None, help="append one JSON line per measurement here")
    args = parser.parse_args()
    if args.part == "table":
        return table(args.project)
    args.binary = os.path.abspath(args.binary)
    args.work = tempfile.mkdtemp(prefix="apigen-subs-")
    counts = [int(c) for c in args.subscribers.split(",")]
    raise_nofile(2 * max(counts) + 256)
    os.sched_setaffinity(0, {int(os.environ.get("CLIENT_CPU", "1"))})
    for n in counts:
        asyncio.run(run_one(args, n))


if __name__ == "__main__":
    main()
