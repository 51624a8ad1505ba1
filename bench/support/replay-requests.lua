-- wrk script: sends the pre-built HTTP requests in REQUESTS_FILE, each exactly once, in order, and counts
-- the answers by status. The file holds records "<byte length>\n<raw request>"; one wrk thread (-t 1) keeps
-- every request unique. Running out of requests stops the run early and is reported as `exhausted`.
local requests = {}
next_index = 0
counts = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("REQUESTS_FILE")
  local f = assert(io.open(path, "rb"))
  while true do
    local line = f:read("*l")
    if not line then break end
    requests[#requests + 1] = f:read(tonumber(line))
  end
  f:close()
end

function request()
  next_index = next_index + 1
  if next_index > #requests then
    exhausted = true
    wrk.thread:stop()
    return requests[#requests]
  end
  return requests[next_index]
end

function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, reqs)
  local statuses = {}
  local sent = 0
  local ran_out = false
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do statuses[k] = (statuses[k] or 0) + v end
    sent = sent + t:get("next_index")
    if t:get("exhausted") then ran_out = true end
  end
  local parts = {}
  for k, v in pairs(statuses) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"durationUs":%d,"responses":%d,"statuses":{%s},"sent":%d,"exhausted":%s,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.duration, summary.requests, table.concat(parts, ","), sent, tostring(ran_out),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
