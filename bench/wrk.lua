-- One wrk script for every endpoint, chosen by BENCH_ENDPOINT (get, list, post, health;
-- health_auth: /health with the bearer token, to price token verification alone).
-- BENCH_DIR holds `ids` (seeded item ids, one a line) and `token` (empty: no auth header).
-- Requests are formatted up front in init(), so per-request Lua work is a table lookup.
local endpoint = os.getenv("BENCH_ENDPOINT")
local dir = os.getenv("BENCH_DIR")
local tag = os.getenv("BENCH_TAG") or tostring(os.time())

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  return lines
end

local headers = { ["Content-Type"] = "application/json" }
local token = read_lines(dir .. "/token")[1]
if token then headers["Authorization"] = "Bearer " .. token end

local reqs, n, i, counter = {}, 0, 0, 0

function init(args)
  math.randomseed(os.time())
  local ids = read_lines(dir .. "/ids")
  for k = 1, 4096 do
    if endpoint == "get" then
      reqs[k] = wrk.format("GET", "/v1/items/" .. ids[math.random(#ids)], headers)
    elseif endpoint == "list" then
      reqs[k] = wrk.format("GET", "/v1/items?limit=20&offset=" .. math.random(0, #ids - 20), headers)
    elseif endpoint == "health" then
      reqs[k] = wrk.format("GET", "/health")
    elseif endpoint == "health_auth" then
      reqs[k] = wrk.format("GET", "/health", headers)
    end
  end
  n = #reqs
end

function request()
  if endpoint == "post" then
    -- A unique e-mail per request (the column is unique): tag + counter.
    counter = counter + 1
    local body = string.format('{"name":"Bench item %d","email":"b-%s-%d@example.com"}', counter, tag, counter)
    return wrk.format("POST", "/v1/items", headers, body)
  end
  i = (i % n) + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
