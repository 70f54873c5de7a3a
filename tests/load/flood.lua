-- The login flood: login.lua's requests, noting the lowest and highest Retry-After of the 503s.
package.path = package.path .. ";" .. os.getenv("LOAD_DIR") .. "/?.lua"
require "login"
local threads = {}

function setup(thread) threads[#threads + 1] = thread end

function init(args)
  retry_min, retry_max = -1, -1
end

function response(status, headers, body)
  local seconds = status == 503 and tonumber(headers["Retry-After"])
  if seconds then
    if retry_min < 0 or seconds < retry_min then retry_min = seconds end
    if seconds > retry_max then retry_max = seconds end
  end
end

function done(summary, latency, requests)
  local low, high = -1, -1
  for _, thread in ipairs(threads) do
    local thread_min, thread_max = thread:get("retry_min"), thread:get("retry_max")
    if thread_min >= 0 and (low < 0 or thread_min < low) then low = thread_min end
    if thread_max > high then high = thread_max end
  end
  report(summary, latency, string.format('"retry_after_min":%d,"retry_after_max":%d', low, high))
end
