-- POST /login with valid credentials for users $USER_PREFIX0..N-1, one per connection in turn.
package.path = package.path .. ";" .. os.getenv("LOAD_DIR") .. "/?.lua"
require "report"
local prefix = os.getenv("USER_PREFIX")
local users = tonumber(os.getenv("USERS"))
local password = os.getenv("PASSWORD")
local counter = 0
function request()
  counter = counter + 1
  local body = string.format('{"username":"%s%d","password":"%s"}', prefix, counter % users, password)
  return wrk.format("POST", "/login", { ["Content-Type"] = "application/json" }, body)
end
function done(summary, latency, requests) report(summary, latency) end
