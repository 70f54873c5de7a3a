-- GET /me with Bearer tokens read from $TOKENS (one per line). With one token the request is built once,
-- as for the anonymous baseline, so wrk's own Lua work does not skew the comparison; with several, each
-- thread builds every request once and cycles through them, sent $PIPELINE at a time (default 1) if set.
-- With $MAX_REQUESTS set, each thread stops once it has its share of responses.
package.path = package.path .. ";" .. os.getenv("LOAD_DIR") .. "/?.lua"
require "report"

local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = "Bearer " .. line end
end

local threads = {}
local thread_count = tonumber(os.getenv("THREADS") or "2")
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "0")
local pipeline = tonumber(os.getenv("PIPELINE") or "1")

wrk.method = "GET"
wrk.path = "/me"
wrk.headers["Authorization"] = tokens[1]

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

local requests = {}

function init(args)
  index = id
  received = 0
  limit = max_requests > 0 and math.floor(max_requests / thread_count) or 0
  if #tokens > 1 then
    for first = 1, #tokens - pipeline + 1, pipeline do
      local batch = {}
      for i = first, first + pipeline - 1 do
        batch[#batch + 1] = wrk.format("GET", "/me", { ["Authorization"] = tokens[i] })
      end
      requests[#requests + 1] = table.concat(batch)
    end
  end
end

if #tokens > 1 then
  function request()
    index = index % #requests + 1
    return requests[index]
  end
end

if max_requests > 0 then
  function response(status, headers, body)
    received = received + 1
    if received >= limit then wrk.thread:stop() end
  end
end

function done(summary, latency, requests) report(summary, latency) end
