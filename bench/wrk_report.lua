-- wrk's summary as one JSON line for bench/run.py (times in microseconds).
-- wrk --latency prints p50/p75/p90/p99 only; the p95 target needs this.
-- A script that checks the answers (wrk_toggle.lua) defines bench_checks() returning a table
-- of counts; they come out as "checks".
done = function(summary, latency, requests)
  local e = summary.errors
  local checks = ""
  if bench_checks then
    local parts = {}
    for name, count in pairs(bench_checks()) do
      table.insert(parts, string.format('"%s": %.0f', name, count))
    end
    checks = ', "checks": {' .. table.concat(parts, ", ") .. '}'
  end
  io.write(string.format(
    'BENCH-RESULT {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"connect_errors": %.0f, "read_errors": %.0f, "write_errors": %.0f, ' ..
    '"status_errors": %.0f, "timeouts": %.0f, "p50_us": %.0f, "p95_us": %.0f, ' ..
    '"p99_us": %.0f, "max_us": %.0f, "mean_us": %.1f%s}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, checks))
end
