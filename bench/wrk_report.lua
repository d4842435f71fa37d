-- wrk's summary as one JSON line for bench/run.py (times in microseconds).
-- wrk --latency prints p50/p75/p90/p99 only; the p95 target needs this.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"connect_errors": %.0f, "read_errors": %.0f, "write_errors": %.0f, ' ..
    '"status_errors": %.0f, "timeouts": %.0f, "p50_us": %.0f, "p95_us": %.0f, ' ..
    '"p99_us": %.0f, "max_us": %.0f, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
