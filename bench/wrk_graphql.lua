-- GraphQL over HTTP POST for bench/protocols.py, chosen by BENCH_ENDPOINT:
-- get: `item(id)` with an id picked at random among the seeded ones; list: `items(limit: 20,
-- offset)` at a random offset. BENCH_DIR holds `ids` (one a line) and `token` (empty: no
-- auth header). The queries are bench/protocols.py's, formatted up front in init().
local endpoint = os.getenv("BENCH_ENDPOINT")
local dir = os.getenv("BENCH_DIR")

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

local fields = "id name email createdAt updatedAt"
local get_query = "query Item($id: UUID!) { item(id: $id) { " .. fields .. " } }"
local list_query = "query Items($limit: Int, $offset: Int) { items(limit: $limit, offset: $offset) " ..
  "{ items { " .. fields .. " } limit offset total } }"

local reqs, n, i = {}, 0, 0

function init(args)
  math.randomseed(os.time())
  local ids = read_lines(dir .. "/ids")
  for k = 1, 4096 do
    local body
    if endpoint == "get" then
      body = string.format('{"query":"%s","variables":{"id":"%s"}}', get_query, ids[math.random(#ids)])
    else
      body = string.format('{"query":"%s","variables":{"limit":20,"offset":%d}}', list_query,
        math.random(0, #ids - 20))
    end
    reqs[k] = wrk.format("POST", "/v1/graphql", headers, body)
  end
  n = #reqs
end

function request()
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
