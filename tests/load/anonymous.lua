-- GET /health/live: the anonymous baseline.
package.path = package.path .. ";" .. os.getenv("LOAD_DIR") .. "/?.lua"
require "report"
wrk.method = "GET"
wrk.path = "/health/live"
function done(summary, latency, requests) report(summary, latency) end
