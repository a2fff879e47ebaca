#!/usr/bin/env python3
"""WebSockets of a generated project: idle sockets per GiB, and change fan-out latency
within one instance and across two (see docs/performance.md, "WebSockets").

Needs Python 3.10+ and the `websockets` package (15 or later) in a venv:

  python3 -m venv .venv && .venv/bin/pip install websockets

The project must be generated with `--protocol rest,websocket --auth jwt --db postgres`
(add `--cache redis` for the Redis fan-out) and an owned resource:
`apigen add resource notes --fields title:string --owned`; BINARY is its release build.
bench/sockets.sh does all of that and runs both parts.

  sockets.py idle PROJECT_DIR BINARY [--counts 1000,5000,10000] [--idle-seconds 65]
      For each count N, a fresh server: register + log in one user, open and close a few
      sockets (so what every socket's first use allocates is in the baseline), read the
      server's VmRSS, open N sockets authenticated on the handshake and each subscribed
      to `notes`, leave them idle for --idle-seconds (the server's keepalive pings and
      caller rechecks run meanwhile: WS_KEEPALIVE_SECONDS and WS_RECHECK_SECONDS are 30),
      read VmRSS again: bytes per idle socket = the difference / N.
  sockets.py fanout PROJECT_DIR BINARY [--writes 1000] [--warmup 100] [--modes rest,socket]
      Two instances A and B of BINARY on two loopback ports, one database (and one Redis
      when the project has one). One subscriber socket, on A (same instance) or on B
      (across instances), subscribed to `notes`; writes through A one at a time, as a
      REST POST /v1/notes over a keep-alive connection or as a socket `create` on a
      second socket to A. Latency = from sending the write to reading the subscriber's
      `change` frame for that row (matched by its unique title); also the write's own
      answer time, and the change's delay past that answer. Prints p50/p95/p99/max.

  sockets.py table RESULTS.jsonl
      The measurements of one or more runs (their --json lines) as Markdown tables; with
      several runs of the same thing, the median of each figure and its range.

Common options: --port (first port, 18271), --database-url (a server on which a fresh
database wsbench_<stamp> is created by the server and dropped at the end with psql when
it is on the PATH), --redis-url, --json FILE (appends one JSON line per measurement).
Servers get bench/generated.env (rate limits far above the load, a one-day token) and
WS_MAX_PER_CLIENT / WS_MAX_CONNECTIONS raised to the count; this script raises its own
and its servers' open-file limit (RLIMIT_NOFILE). Loopback only.
"""
import argparse
import asyncio
import base64
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

from bench import TCK, generated_env, proc_status, proc_ticks  # bench.py, beside this file

try:
    from websockets.asyncio.client import connect
except ImportError:
    sys.exit("needs the `websockets` package (15+): python3 -m venv .venv && .venv/bin/pip install websockets")

BENCH = os.path.dirname(os.path.abspath(__file__))
USER = {"email": "sockets@example.com", "password": "bench-password-1234", "name": "Bench"}


def busy_ticks():
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as f:
        v = list(map(int, f.readline().split()[1:]))
    return v[0] + v[1] + v[2], sum(v[:8])


class Load:
    """The machine's load over a stretch: load average before and after, and how busy
    it was (all CPUs), so numbers measured on a shared machine say so."""

    def __init__(self):
        self.load_before = os.getloadavg()[0]
        self.busy0 = busy_ticks()

    def done(self):
        b1, t1 = busy_ticks()
        return {
            "load1_before": round(self.load_before, 2),
            "load1_after": round(os.getloadavg()[0], 2),
            "machine_busy_pct": round(100 * (b1 - self.busy0[0]) / max(1, t1 - self.busy0[1]), 1),
        }


def raise_nofile(want):
    """Raises this process's open-file limit (its servers inherit it) to `want` if it can."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= want:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Server:
    """One instance of BINARY in PROJECT_DIR, on `port`."""

    def __init__(self, project, binary, port, env, log):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        full = dict(os.environ)
        full.update(env)
        full.update(HOST="127.0.0.1", PORT=str(port))
        self.log = open(log, "w")
        # stdout (one JSON log line per request) is discarded, as in bench/run.sh.
        self.proc = subprocess.Popen([binary], cwd=project, env=full, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.flush()
                sys.exit(f"server on {port} exited {self.proc.returncode}; see {log}")
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        sys.exit(f"server on {port} did not answer /health in 60 s; see {log}")

    def rss_kb(self):
        return proc_status(self.pid, "VmRSS")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: the server's graceful shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Http:
    """A keep-alive HTTP/1.1 connection on asyncio streams (stdlib only): enough for JSON."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, path, body=None, token=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                "Content-Type: application/json", f"Content-Length: {len(data)}"]
        if token:
            head.append(f"Authorization: Bearer {token}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, value = line.decode().split(":", 1)
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                payload += chunk[:-2]
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.reader = self.writer = None
        return status, (json.loads(payload) if payload else None)

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def login(port):
    http = Http(port)
    status, body = await http.request("POST", "/v1/auth/register", USER)
    if status not in (200, 201, 409):
        sys.exit(f"register: {status} {body}")
    status, body = await http.request("POST", "/v1/auth/login",
                                      {k: USER[k] for k in ("email", "password")})
    if status != 200:
        sys.exit(f"login: {status} {body}")
    http.close()
    return body["access_token"]


async def open_socket(port, token, subscribe=True, source=None):
    """A socket to /v1/ws, its caller proven on the handshake, subscribed to `notes`."""
    kwargs = {"local_addr": (source, 0)} if source else {}
    ws = await connect(f"ws://127.0.0.1:{port}/v1/ws",
                       additional_headers={"Authorization": f"Bearer {token}"},
                       compression=None, ping_interval=None, open_timeout=60,
                       close_timeout=5, **kwargs)
    if subscribe:
        await ws.send(json.dumps({"v": 1, "ref": "s", "type": "subscribe", "resource": "notes"}))
        reply = json.loads(await ws.recv())
        if reply.get("type") != "reply":
            raise RuntimeError(f"subscribe: {reply}")
    return ws


def percentiles(xs):
    xs = sorted(xs)
    if not xs:
        return {}

    def q(p):
        return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]

    return {"n": len(xs), "p50": q(50), "p95": q(95), "p99": q(99), "max": xs[-1],
            "mean": statistics.fmean(xs)}


def emit(args, record):
    line = json.dumps(record)
    print(line, flush=True)
    if args.json:
        with open(args.json, "a") as f:
            f.write(line + "\n")


# ---------------------------------------------------------------- idle sockets

async def idle_run(args, env, n):
    server = Server(args.project, args.binary, args.port, env, os.path.join(args.logs, f"idle-{n}.log"))
    sockets = []
    try:
        token = await login(args.port)
        warm = [await open_socket(args.port, token) for _ in range(4)]
        for ws in warm:
            await ws.close()
        await asyncio.sleep(2)
        rss0 = server.rss_kb()
        load = Load()
        gate = asyncio.Semaphore(args.concurrency)
        sources = [f"127.0.0.{2 + k}" for k in range(args.sources)]

        async def one(k):
            async with gate:
                return await open_socket(args.port, token, source=sources[k % len(sources)])

        t0 = time.monotonic()
        results = await asyncio.gather(*(one(k) for k in range(n)), return_exceptions=True)
        opening_s = time.monotonic() - t0
        sockets = [r for r in results if not isinstance(r, BaseException)]
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            print(f"   {len(failures)} of {n} sockets failed, e.g. {failures[0]!r}", file=sys.stderr)
        await asyncio.sleep(5)
        rss_open = server.rss_kb()
        ticks0 = proc_ticks(server.pid)
        await asyncio.sleep(args.idle_seconds)
        idle_cpu_s = (proc_ticks(server.pid) - ticks0) / TCK
        rss_idle = server.rss_kb()
        hwm = proc_status(server.pid, "VmHWM")
        still_open = sum(1 for ws in sockets if ws.close_code is None)
        machine = load.done()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        sockets = []
        await asyncio.sleep(3)
        rss_closed = server.rss_kb()
        per_socket = (rss_idle - rss0) * 1024 / max(1, still_open)
        record = {
            "part": "idle", "sockets": n, "opened": n - len(failures), "open_after_idle": still_open,
            "opening_s": round(opening_s, 1), "idle_s": args.idle_seconds,
            "rss_before_kb": rss0, "rss_open_kb": rss_open, "rss_idle_kb": rss_idle,
            "rss_after_close_kb": rss_closed, "hwm_kb": hwm,
            "bytes_per_socket": round(per_socket), "sockets_per_gib": round(2**30 / per_socket) if per_socket > 0 else None,
            "server_cpu_ms_per_s_idle": round(1000 * idle_cpu_s / args.idle_seconds, 2),
            **machine,
        }
        emit(args, record)
        return record
    finally:
        for ws in sockets:
            ws.transport.abort()
        server.stop()


# ---------------------------------------------------------------- fan-out latency

async def fanout_phase(args, a, b, token, where, mode):
    sub_port = a.port if where == "same" else b.port
    subscriber = await open_socket(sub_port, token)
    writer_ws = await open_socket(a.port, token, subscribe=False) if mode == "socket" else None
    http = Http(a.port)
    arrived = {}
    waiting = {}

    async def read_changes():
        async for frame in subscriber:
            now = time.perf_counter_ns()
            message = json.loads(frame)
            if message.get("type") != "change" or not message.get("data"):
                continue
            title = message["data"].get("title")
            arrived[title] = now
            if title in waiting:
                waiting.pop(title).set_result(now)

    reader = asyncio.create_task(read_changes())
    run = f"{where}-{mode}-{time.time_ns()}"
    changes, answers, lost = [], [], 0
    load = Load()
    ticks = {s.port: proc_ticks(s.pid) for s in (a, b)}
    total = args.warmup + args.writes
    try:
        for i in range(total):
            title = f"{run}-{i}"
            seen = asyncio.get_running_loop().create_future()
            waiting[title] = seen
            t0 = time.perf_counter_ns()
            if mode == "rest":
                status, body = await http.request("POST", "/v1/notes", {"title": title}, token)
                if status != 201:
                    sys.exit(f"POST /v1/notes: {status} {body}")
            else:
                await writer_ws.send(json.dumps({"v": 1, "ref": str(i), "type": "create",
                                                 "resource": "notes", "data": {"title": title}}))
                reply = json.loads(await writer_ws.recv())
                if reply.get("type") != "reply":
                    sys.exit(f"create: {reply}")
            t_answer = time.perf_counter_ns()
            try:
                t_change = arrived.get(title) or await asyncio.wait_for(seen, args.timeout)
            except asyncio.TimeoutError:
                lost += 1
                waiting.pop(title, None)
                continue
            if i >= args.warmup:
                changes.append((t_change - t0) / 1e6)
                answers.append((t_answer - t0) / 1e6)
            if args.gap_ms:
                await asyncio.sleep(args.gap_ms / 1000)
    finally:
        reader.cancel()
        http.close()
        await subscriber.close()
        if writer_ws:
            await writer_ws.close()
    cpu = {f"cpu_ms_per_write_{name}": round(1000 * (proc_ticks(s.pid) - ticks[s.port]) / TCK / total, 3)
           for name, s in (("a", a), ("b", b))}
    record = {
        "part": "fanout", "engine": args.engine, "subscriber": where, "write": mode,
        "writes": args.writes, "lost": lost,
        "change_ms": {k: round(v, 3) for k, v in percentiles(changes).items()},
        "answer_ms": {k: round(v, 3) for k, v in percentiles(answers).items()},
        # How long after the write's own answer the change arrived (negative: before it).
        "after_answer_ms": {k: round(v, 3) for k, v in
                            percentiles([c - w for c, w in zip(changes, answers)]).items()},
        **cpu, **load.done(),
    }
    emit(args, record)
    return record


async def fanout(args, env):
    a = Server(args.project, args.binary, args.port, env, os.path.join(args.logs, "fanout-a.log"))
    b = None
    try:
        b = Server(args.project, args.binary, args.port + 1, env, os.path.join(args.logs, "fanout-b.log"))
        token = await login(a.port)
        records = []
        for mode in args.modes.split(","):
            for where in ("same", "other"):
                records.append(await fanout_phase(args, a, b, token, where, mode))
        return records
    finally:
        if b:
            b.stop()
        a.stop()


# ---------------------------------------------------------------- tables

def spread(xs, fmt):
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    idle = {}
    for r in (r for r in rows if r["part"] == "idle"):
        idle.setdefault(r["sockets"], []).append(r)
    if idle:
        print("| sockets | runs | RSS before MiB | RSS idle MiB | bytes / socket | sockets / GiB "
              "| server CPU idle ms/s | open all (s) | load average |")
        print("|---|---|---|---|---|---|---|---|---|")
        for n, rs in sorted(idle.items()):
            print("| " + " | ".join([
                f"{n:,}", str(len(rs)),
                spread([r["rss_before_kb"] / 1024 for r in rs], "{:.1f}"),
                spread([r["rss_idle_kb"] / 1024 for r in rs], "{:,.0f}"),
                spread([r["bytes_per_socket"] for r in rs], "{:,.0f}"),
                spread([r["sockets_per_gib"] for r in rs], "{:,.0f}"),
                spread([r["server_cpu_ms_per_s_idle"] for r in rs], "{:.1f}"),
                spread([r["opening_s"] for r in rs], "{:.1f}"),
                spread([r["load1_before"] for r in rs], "{:.1f}"),
            ]) + " |")
        print()
    fan = {}
    for r in (r for r in rows if r["part"] == "fanout"):
        fan.setdefault((r["engine"], r["write"], r["subscriber"]), []).append(r)
    if fan:
        print("| project's fan-out | write through A | subscriber on | runs × writes | change p50 ms | p95 | p99 "
              "| write answer p50 ms | change after answer p50 / p99 ms | lost | load average |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        names = {"postgres": "PostgreSQL LISTEN/NOTIFY", "redis": "Redis pub/sub"}
        for (engine, write, where), rs in sorted(fan.items(), key=lambda kv: (kv[0][0], kv[0][1] != "rest", kv[0][2] != "same")):
            def col(part, key):
                return spread([r[part][key] for r in rs if part in r], "{:.2f}")
            after = [r for r in rs if "after_answer_ms" in r]
            print("| " + " | ".join([
                names.get(engine, engine),
                "REST POST" if write == "rest" else "socket `create`",
                "A (same instance)" if where == "same" else "**B (across instances)**",
                f"{len(rs)} × {rs[0]['writes']:,}",
                col("change_ms", "p50"), col("change_ms", "p95"), col("change_ms", "p99"),
                col("answer_ms", "p50"),
                (spread([r["after_answer_ms"]["p50"] for r in after], "{:.2f}") + " / " +
                 spread([r["after_answer_ms"]["p99"] for r in after], "{:.2f}")) if after else "–",
                str(sum(r["lost"] for r in rs)),
                spread([r["load1_before"] for r in rs], "{:.1f}"),
            ]) + " |")


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if len(sys.argv) == 3 and sys.argv[1] == "table":
        return table(sys.argv[2])
    parser.add_argument("part", choices=["idle", "fanout"])
    parser.add_argument("project")
    parser.add_argument("binary")
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument("--idle-seconds", type=float, default=65)
    parser.add_argument("--concurrency", type=int, default=64, help="handshakes in flight at once")
    parser.add_argument("--sources", type=int, default=8, help="loopback source addresses 127.0.0.2..")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--modes", default="rest,socket")
    parser.add_argument("--gap-ms", type=float, default=2.0, help="pause between writes")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a change")
    parser.add_argument("--port", type=int, default=18271)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--logs", default=None, help="folder for the servers' stderr (default: a temp folder)")
    parser.add_argument("--json", default=None, help="append one JSON line per measurement here")
    args = parser.parse_args()
    args.project = os.path.abspath(args.project)
    args.binary = os.path.abspath(args.binary)
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    args.logs = args.logs or os.path.join("/tmp", f"wsbench-logs-{stamp}")
    os.makedirs(args.logs, exist_ok=True)
    has_redis = "REDIS_URL=" in open(os.path.join(args.project, ".env.example")).read()
    args.engine = "redis" if has_redis else "postgres"
    counts = [int(c) for c in args.counts.split(",")] if args.part == "idle" else [8]
    # Each socket is one descriptor in the server and one here.
    want = 2 * max(counts) + 4096
    limit = raise_nofile(want)
    if limit < want:
        print(f"# open-file limit {limit} (hard limit; {want} wanted): enough for "
              f"{limit - 1024} sockets per process", flush=True)
    if limit < max(counts) + 1024:
        sys.exit(f"open-file limit {limit} is too low for {max(counts)} sockets")

    database = f"wsbench_{args.part}_{args.engine}_{stamp}"
    env = generated_env()
    env.update(
        DATABASE_URL=f"{args.database_url.rstrip('/')}/{database}",
        JWT_SECRET=base64.b64encode(os.urandom(48)).decode(),
        WS_MAX_PER_CLIENT=str(max(counts) + 16),
        WS_MAX_CONNECTIONS=str(max(counts) + 64),
        RUST_LOG=os.environ.get("GEN_RUST_LOG", "info"),
    )
    if has_redis:
        env.update(REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=f"wsbench-{stamp}:")
    print(f"# {args.part} on {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"open-file limit {limit}, database {database}, server logs in {args.logs}", flush=True)
    try:
        if args.part == "idle":
            for n in counts:
                asyncio.run(idle_run(args, env, n))
        else:
            asyncio.run(fanout(args, env))
    finally:
        if shutil.which("psql"):
            subprocess.run(["psql", args.database_url.rstrip("/") + "/postgres", "-q", "-c",
                            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=False)


if __name__ == "__main__":
    main()
