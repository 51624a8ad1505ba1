-- wrk script: sends the pre-built HTTP requests in REQUESTS_FILE, each exactly once, in order. The file holds
-- records "<byte length>\n<raw request>"; one wrk thread (-t 1) keeps every request unique. Running out of
-- requests stops the run early and is reported as `exhausted`. No response() callback: wrk would parse every
-- answer's headers into Lua for it, which tripled its CPU; wrk counts non-2xx answers itself, and the
-- benchmark counts what Redis accepted to tell a 202 from a 200.
local requests = {}
next_index = 0
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

function done(summary, latency, reqs)
  local sent = 0
  local ran_out = false
  for _, t in ipairs(threads) do
    sent = sent + t:get("next_index")
    if t:get("exhausted") then ran_out = true end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"durationUs":%d,"responses":%d,"sent":%d,"exhausted":%s,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.duration, summary.requests, sent, tostring(ran_out),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
