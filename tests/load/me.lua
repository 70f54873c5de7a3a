-- GET /me with Bearer tokens read from $TOKENS (one per line), each thread cycling through them.
-- With $MAX_REQUESTS set, each thread stops after its share.
package.path = package.path .. ";" .. os.getenv("LOAD_DIR") .. "/?.lua"
require "report"

local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = "Bearer " .. line end
end

local threads = {}
local thread_count = tonumber(os.getenv("THREADS") or "2")
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "0")

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  index = id
  sent = 0
  limit = max_requests > 0 and math.floor(max_requests / thread_count) or 0
end

function request()
  index = index % #tokens + 1
  sent = sent + 1
  return wrk.format("GET", "/me", { ["Authorization"] = tokens[index] })
end

function response(status, headers, body)
  if limit > 0 and sent >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests) report(summary, latency) end
