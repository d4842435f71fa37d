-- The attendance toggle as the attendance list sends it: an htmx POST of one row's form
-- (its csrf_token field and the button pressed), with X-CSRFToken, HX-Request and HX-Target.
-- Each request marks the next invitee of the meeting, alternately absent and present, so that
-- every click changes a row. Every answer is checked: status 200, one table row, under 2 KB.
--   wrk ... -s wrk_toggle.lua http://127.0.0.1:PORT/ -- TOKEN MEETING_ID ID,ID,...
dofile("wrk_report.lua")  -- done(): the summary line for bench/run.py (run from bench/)

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function bench_checks()
  local totals = {bad_status = 0, too_large = 0, not_fragment = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  return totals
end

local token, meeting, ids, counter, headers
bad_status, too_large, not_fragment = 0, 0, 0

function init(args)
  token, meeting = args[1], args[2]
  ids = {}
  for id in string.gmatch(args[3], "%d+") do
    table.insert(ids, id)
  end
  -- Threads start at different rows, so that they rarely click the same one at once.
  counter = (thread_number or 0) * math.floor(#ids / 2)
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  local value = (math.floor(counter / #ids) % 2 == 0) and "absent" or "present"
  headers["HX-Target"] = "attendance-row-" .. id
  return wrk.format("POST", "/meetings/" .. meeting .. "/attendance/" .. id, headers,
                    "csrf_token=" .. token .. "&attendance=" .. value)
end

function response(status, response_headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  end
  if #body >= 2048 then
    too_large = too_large + 1
  end
  if string.sub(body, 1, 23) ~= '<tr id="attendance-row-' then
    not_fragment = not_fragment + 1
  end
end
