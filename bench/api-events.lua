-- wrk script for `npm run bench:api` and `bench:growth`: every request a purchase with its own Idempotency-Key
-- and body, by one of BENCH_MEMBERS customers (BENCH_RUN-<n>, or BENCH_PREFIX<n>), with one of the API keys in
-- BENCH_KEYS (comma-separated). With BENCH_HOME_KEYS=1 customer n shops at its home store, key n mod the keys'
-- count: bench:data links customer c<n> to partner n mod 100 only.
local run = os.getenv("BENCH_RUN")
local prefix = os.getenv("BENCH_PREFIX") or (run .. "-")
local homeKeys = os.getenv("BENCH_HOME_KEYS") == "1"
local members = tonumber(os.getenv("BENCH_MEMBERS"))
local keys = {}
for key in string.gmatch(os.getenv("BENCH_KEYS"), "[^,]+") do keys[#keys + 1] = key end

local thread_id = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  counter = counter + 1
  local quantity = math.random(1, 3)
  local customer = math.random(0, members - 1)
  local key = homeKeys and keys[customer % #keys + 1] or keys[math.random(1, #keys)]
  local body = string.format(
    '{"member":{"externalId":"%s%d"},"type":"purchase","amountCents":%d,"currency":"EUR","channel":"web",' ..
    '"lines":[{"reference":"NOVEL-PB","category":"books","quantity":%d,"unitPriceCents":1299},' ..
    '{"reference":"FLAT-WHITE","category":"coffee","quantity":1,"unitPriceCents":450}]}',
    prefix, customer, quantity * 1299 + 450, quantity)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = string.format("%s-t%d-%d-%d", run, thread_id, counter, math.random(0, 1e9)),
  }
  return wrk.format("POST", "/api/v1/events", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
