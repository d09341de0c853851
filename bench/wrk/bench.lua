-- One endpoint for wrk: GET or POST, with the session cookie and the CSRF token.
-- Read from the environment (set by bench/run.py):
--   BENCH_METHOD  GET (default) or POST
--   BENCH_PATH    the path; "{id}" is replaced by the next id of BENCH_IDS
--   BENCH_BODY    form fields of a POST (the CSRF token is appended), "{id}" too
--   BENCH_IDS     a file of task ids, one per line, used in turn (each once while
--                 there are more ids than requests: deletes never repeat)
--   BENCH_COOKIE  the Cookie header (empty: anonymous)
--   BENCH_CSRF    the CSRF token matching the csrftoken cookie
-- At the end one line "BENCH {json}" gives the counts and latency percentiles (ms).

local method = os.getenv("BENCH_METHOD") or "GET"
local path_template = os.getenv("BENCH_PATH") or "/"
local body_template = os.getenv("BENCH_BODY") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local ids = {}
local id_file = os.getenv("BENCH_IDS") or ""
if id_file ~= "" then
  for line in io.lines(id_file) do ids[#ids + 1] = line end
end
local sent = 0

request = function()
  sent = sent + 1
  local id = ""
  if #ids > 0 then id = ids[(sent - 1) % #ids + 1] end
  local path = (path_template:gsub("{id}", id))
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if method == "POST" then
    local body = (body_template:gsub("{id}", id))
    if body ~= "" then body = body .. "&" end
    body = body .. "csrfmiddlewaretoken=" .. csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"status_errors": %d, "timeouts": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.status,
    errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
