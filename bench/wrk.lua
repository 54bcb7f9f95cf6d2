-- Drives wrk through a list of prepared requests (bench/http_load.py writes it as REQUESTS below its
-- own copy of this script): each thread takes every n-th one, so no two connections send the
-- same booking form. Prints the latency percentiles as one JSON line when done.
local threads = {}
local counter, stride = 0, 1

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- args[1]: where this run starts in the list (bench/http_load.py passes how many booking
  -- forms earlier runs used, so a second round sends new bookings, not repeated forms).
  counter = (offset or 0) + tonumber(args[1] or "0")
  stride = THREAD_COUNT
end

function request()
  local r = REQUESTS[(counter % #REQUESTS) + 1]
  counter = counter + stride
  return wrk.format(r[1], r[2], HEADERS, r[3])
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non_2xx_3xx": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
