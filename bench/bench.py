#!/usr/bin/env python3
"""Helpers for bench/run.sh (stdlib only).

  bench.py seed URL N OUT_DIR [PROMOTE...]
                                         register+login where the app has accounts, POST N items;
                                         writes OUT_DIR/token and OUT_DIR/ids (one uuid a line).
                                         Where only admins write (403), PROMOTE + the bench user's
                                         e-mail is run (the binary's `promote-admin`), then login again
  bench.py quiet MAX_BUSY TIMEOUT        wait until the machine is <= MAX_BUSY % busy over 2 s
  bench.py measure SERVER_PID JSON_OUT META_JSON -- WRK_CMD...
                                         run wrk, append one JSON line: wrk's numbers, server CPU
                                         and peak RSS, and the CPU other processes used meanwhile
  bench.py summarize RESULTS_DIR DOC     rewrite the results block of DOC from RESULTS_DIR
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time

TCK = os.sysconf("SC_CLK_TCK")
# The targets: the generated app's req/s as a share of the ceiling's, per endpoint.
CEILING_TARGETS = {"get": 0.75, "health": 0.60}


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


BENCH_USER = {"email": "bench@example.com", "password": "bench-password-1234", "name": "Bench"}


def login(conn, user=None):
    """Registers and logs in `user` (the bench user by default): its access token, or
    None when the app has no accounts (the ceiling answers 404)."""
    user = user or BENCH_USER
    status, data = request(conn, "POST", "/v1/auth/register", user)
    if status == 404:
        return None
    if status not in (200, 201):
        sys.exit(f"register: {status} {data[:300]!r}")
    return log_in(conn, user)


def log_in(conn, user):
    """Logs `user` in (again, e.g. after `promote-admin`): a fresh access token."""
    status, data = request(conn, "POST", "/v1/auth/login", {k: user[k] for k in ("email", "password")})
    if status != 200:
        sys.exit(f"login: {status} {data[:300]!r}")
    return json.loads(data)["access_token"]


def promote(conn, binary, project, env, user):
    """Makes `user` an admin with BINARY's `promote-admin` (in the generated app only
    admins write) and logs in again: the new access token carries the role."""
    subprocess.run([binary, "promote-admin", user["email"]], cwd=project, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return log_in(conn, user)


def generated_env():
    """bench/generated.env as a dict: the generated app's settings under load."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated.env")
    lines = (line.strip() for line in open(path))
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def seed(url, n, out_dir, promote):
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    token = login(conn) or ""
    ids = []
    for i in range(n):
        item = {"name": f"Seed item {i}", "email": f"seed{i}@example.com"}
        status, data = request(conn, "POST", "/v1/items", item, token)
        if status == 403 and i == 0 and promote:  # only admins write: promote, log in again
            subprocess.run(promote + [BENCH_USER["email"]], check=True, stdout=subprocess.DEVNULL)
            token = log_in(conn, BENCH_USER)
            status, data = request(conn, "POST", "/v1/items", item, token)
        if status != 201:
            sys.exit(f"seed: POST #{i} -> {status} {data[:300]!r}")
        ids.append(json.loads(data)["id"])
    status, data = request(conn, "GET", f"/v1/items/{ids[0]}", token=token)
    if status != 200:
        sys.exit(f"seed: GET -> {status} {data[:300]!r}")
    with open(os.path.join(out_dir, "token"), "w") as f:
        f.write(token)
    with open(os.path.join(out_dir, "ids"), "w") as f:
        f.write("\n".join(ids) + "\n")


def cpu_times():
    """(busy, total) jiffies over all CPUs: busy = user + nice + system (no irq/softirq)."""
    with open("/proc/stat") as f:
        v = list(map(int, f.readline().split()[1:]))
    return v[0] + v[1] + v[2], sum(v[:8])


def quiet(max_busy, timeout):
    start = time.monotonic()
    while True:
        b0, t0 = cpu_times()
        time.sleep(2)
        b1, t1 = cpu_times()
        busy = 100 * (b1 - b0) / max(1, t1 - t0)
        waited = time.monotonic() - start
        if busy <= max_busy:
            return waited, busy
        if waited >= timeout:
            return waited, busy


def proc_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure(server_pid, out, cmd, meta):
    pid = int(server_pid)
    load1 = os.getloadavg()[0]
    b0, _ = cpu_times()
    s0 = proc_ticks(pid)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    s1 = proc_ticks(pid)
    b1, _ = cpu_times()
    m = re.search(r"^BENCH (\{.*\})$", text, re.M)
    if status != 0 or not m:
        sys.exit(f"wrk failed:\n{text}")
    d = json.loads(m.group(1))
    server_s = (s1 - s0) / TCK
    wrk_s = ru.ru_utime + ru.ru_stime
    d.update(meta)
    d.update(
        rps=d["requests"] / (d["duration_us"] / 1e6),
        server_cpu_pct=round(100 * server_s / wall, 1),
        # Server CPU time per request: less sensitive than req/s to CPU stolen by other work.
        cpu_us_per_req=round(1e6 * server_s / max(1, d["requests"]), 1),
        wrk_cpu_pct=round(100 * wrk_s / wall, 1),
        # CPU-seconds used by everything else on the machine during the run (builds, say).
        other_cpu_s=round(max(0.0, (b1 - b0) / TCK - server_s - wrk_s), 2),
        load1_before=load1,
        peak_rss_kb=proc_status(pid, "VmHWM"),
        rss_kb=proc_status(pid, "VmRSS"),
    )
    with open(out, "a") as f:
        f.write(json.dumps(d) + "\n")
    return d


# ---------------------------------------------------------------- summary

ENDPOINTS = [("get", "GET by id"), ("list", "GET list (20)"), ("post", "POST create"), ("health", "GET /health")]
APPS = [("generated", "generated (apigen)"), ("ceiling", "axum ceiling"), ("fastapi", "FastAPI")]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def cell(xs, fmt):
    if not xs:
        return "–"
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def summarize(results_dir, doc):
    rows = [json.loads(line) for line in open(os.path.join(results_dir, "load.jsonl"))]
    for r in rows:  # older results: derive it
        r.setdefault("cpu_us_per_req", r["server_cpu_pct"] * 1e4 / r["rps"])
    meta = json.load(open(os.path.join(results_dir, "meta.json")))
    tool = {}
    tool_file = os.path.join(results_dir, "tool.json")
    if os.path.exists(tool_file):
        tool = json.load(open(tool_file))
    by = {}
    for r in rows:
        by.setdefault((r["endpoint"], r["app"]), []).append(r)
    idle = {}
    for r in rows:
        idle.setdefault(r["app"], []).append(r["idle_rss_kb"] / 1024)
    out = []
    out.append(f"Run `{meta['stamp']}` · {meta['date']} · {meta['machine']}  ")
    out.append(f"Parameters: REPS={meta['REPS']} DURATION={meta['DURATION']}s WARMUP={meta['WARMUP']}s "
               f"CONNS={meta['CONNS']} wrk threads=1 SEED={meta['SEED']} rows; server on CPU {meta['SERVER_CPU']}, "
               f"wrk on CPU {meta['CLIENT_CPU']}.  ")
    others = [r["other_cpu_s"] for r in rows]
    cpub = [r["server_cpu_pct"] for r in rows]
    flagged = sum(1 for r in rows if r["other_cpu_s"] > meta["OTHER_MAX_S"])
    out.append(f"Machine load: other processes used {min(others):.1f}–{max(others):.1f} CPU-s per "
               f"{meta['DURATION']} s run (median {med(others):.1f}); {flagged} of {len(rows)} runs above "
               f"{meta['OTHER_MAX_S']} CPU-s after {meta['RETRIES']} retries "
               f"({'a quiet machine' if flagged == 0 else '**busy machine: treat the numbers as indicative**'}); "
               f"the server process got {min(cpub):.0f}–{max(cpub):.0f}% of its core; "
               f"load average before the runs {min(r['load1_before'] for r in rows):.1f}–"
               f"{max(r['load1_before'] for r in rows):.1f}.")
    out.append("")
    out.append("Median over the repetitions, (min–max) when more than one. Latency from wrk; "
               "errors = non-2xx responses / socket errors (connect, read, write, wrk's 2 s timeout), summed over the runs; peak RSS = the server's VmHWM "
               "after that endpoint's run (the generated app's includes argon2's memory from the one register + login); "
               "RSS after = VmRSS then; server CPU = the server process's share of its core; CPU µs/req = "
               "server CPU time ÷ requests.")
    out.append("")
    out.append("| endpoint | app | req/s | p50 ms | p99 ms | errors non-2xx / socket | peak RSS MiB | RSS after MiB | server CPU % | CPU µs/req |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for ep, ep_name in ENDPOINTS:
        for app, app_name in APPS:
            rs = by.get((ep, app))
            if not rs:
                continue
            errors = f'{sum(r["status_errors"] for r in rs)} / {sum(r["socket_errors"] for r in rs)}'
            out.append("| " + " | ".join([
                ep_name, app_name,
                cell([r["rps"] for r in rs], "{:,.0f}"),
                cell([r["p50_us"] / 1000 for r in rs], "{:.2f}"),
                cell([r["p99_us"] / 1000 for r in rs], "{:.2f}"),
                errors,
                f"{max(r['peak_rss_kb'] for r in rs) / 1024:.1f}",
                f"{med([r['rss_kb'] for r in rs]) / 1024:.1f}",
                f"{med([r['server_cpu_pct'] for r in rs]):.0f}",
                cell([r["cpu_us_per_req"] for r in rs], "{:.0f}"),
            ]) + " |")
    out.append("")
    out.append("Idle RSS after start-up (MiB): " + ", ".join(
        f"{name} {med(idle[app]):.1f}" for app, name in APPS if app in idle) + ".")
    out.append("")
    out.append("Ratios of the medians. CPU ratio = the other app's CPU µs/req ÷ the generated app's "
               "(the same comparison, from CPU time instead of wall-clock throughput; steadier on a busy machine).")
    out.append("")
    out.append("| endpoint | generated ÷ ceiling (req/s) | target | (CPU) | generated ÷ FastAPI (req/s) | target | (CPU) |")
    out.append("|---|---|---|---|---|---|---|")
    for ep, ep_name in ENDPOINTS:
        g = [r["rps"] for r in by.get((ep, "generated"), [])]
        c = [r["rps"] for r in by.get((ep, "ceiling"), [])]
        f = [r["rps"] for r in by.get((ep, "fastapi"), [])]
        gc = f"{med(g) / med(c):.0%}" if g and c else "–"
        gf = f"{med(g) / med(f):.1f}×" if g and f else "–"
        goal = CEILING_TARGETS.get(ep)
        t1 = (f"≥ {goal:.0%}: " + ("met" if med(g) / med(c) >= goal else "**not met**")) if g and c and goal else ""
        t2 = ("≥ 20×: " + ("met" if med(g) / med(f) >= 20 else "**not met**")) if g and f and ep == "get" else ""
        gcpu = [r["cpu_us_per_req"] for r in by.get((ep, "generated"), [])]
        ccpu = [r["cpu_us_per_req"] for r in by.get((ep, "ceiling"), [])]
        fcpu = [r["cpu_us_per_req"] for r in by.get((ep, "fastapi"), [])]
        gcc = f"{med(ccpu) / med(gcpu):.0%}" if gcpu and ccpu else "–"
        gfc = f"{med(fcpu) / med(gcpu):.1f}×" if gcpu and fcpu else "–"
        out.append(f"| {ep_name} | {gc} | {t1} | {gcc} | {gf} | {t2} | {gfc} |")
    if tool:
        out.append("")
        out.append("apigen's own speed (hyperfine, mean ± σ; builds measured once):")
        out.append("")
        out.append("| what | time | target |")
        out.append("|---|---|---|")
        for key, name, target in [
            ("new", "`apigen new --yes`", 0.030),
            ("add", "`apigen add resource items`", None),
            ("cold_build", "cold `cargo build` of the generated project (debug, empty target dir)", None),
            ("rebuild", "incremental `cargo build` after touching `src/routers/items.rs`", None),
        ]:
            if key not in tool:
                continue
            t = tool[key]
            if "mean" in t:
                val = f"{t['mean'] * 1000:.1f} ms ± {t['stddev'] * 1000:.1f} ms" if t["mean"] < 1 else f"{t['mean']:.2f} s"
            else:
                val = f"{t['seconds']:.1f} s"
            tgt = ""
            if target:
                tgt = f"< {target * 1000:.0f} ms: " + ("met" if t["mean"] < target else "**not met**")
            out.append(f"| {name} | {val} | {tgt} |")
        if "load" in tool:
            out.append("")
            out.append(f"Machine load during these: {tool['load']}.")
    block = "\n".join(out)
    text = open(doc).read()
    start, end = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    with open(doc, "w") as f:
        f.write(f"{head}{start}\n{block}\n{end}{tail}")
    print(block)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "seed":
        seed(args[0], int(args[1]), args[2], args[3:])
    elif cmd == "quiet":
        waited, busy = quiet(float(args[0]), float(args[1]))
        print(f"waited {waited:.0f} s for a quiet machine; now {busy:.0f}% busy")
    elif cmd == "measure":
        sep = args.index("--")
        meta = json.loads(args[2])
        d = measure(args[0], args[1], args[sep + 1:], meta)
        print(f"   {d['endpoint']:<6} {d['rps']:>9,.0f} req/s  p50 {d['p50_us'] / 1000:6.2f} ms  "
              f"p99 {d['p99_us'] / 1000:6.2f} ms  {d['cpu_us_per_req']} CPU-µs/req  errors {d['status_errors'] + d['socket_errors']}  "
              f"server {d['server_cpu_pct']}%  wrk {d['wrk_cpu_pct']}%  other {d['other_cpu_s']} CPU-s")
    elif cmd == "summarize":
        summarize(args[0], args[1])
    else:
        sys.exit(__doc__)
