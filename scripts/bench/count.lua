-- wrk script for scripts/bench/memory.sh: each wrk thread stops after its share of LIMIT responses
-- and then creates MARKER_DIR/done-<n>; the caller interrupts wrk (SIGINT: wrk prints its report)
-- once every thread has a marker, since wrk's main thread would otherwise sleep for the whole -d.
--   wrk -t T -c C -d MAX_SECONDS -s count.lua URL -- LIMIT T MARKER_DIR
local share = 0
local seen = 0
local marked = false
local marker_dir = nil
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  local limit = tonumber(args[1]) or 1000000
  local threads = tonumber(args[2]) or 1
  marker_dir = args[3]
  share = math.ceil(limit / threads)
end

function response(status, headers, body)
  seen = seen + 1
  if seen >= share and not marked then
    marked = true
    if marker_dir then
      local f = io.open(marker_dir .. "/done-" .. tostring(thread_number), "w")
      if f then f:close() end
    end
    wrk.thread:stop()
  end
end
