-- Prints wrk's latency distribution as one JSON line (microseconds), for scripts/crosscheck.
done = function(summary, latency, requests)
  local parts = {}
  for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
    parts[#parts + 1] = string.format('"p%s": %d', tostring(p), latency:percentile(p))
  end
  parts[#parts + 1] = string.format('"max": %d', latency.max)
  parts[#parts + 1] = string.format('"requests": %d', summary.requests)
  parts[#parts + 1] = string.format('"seconds": %.3f', summary.duration / 1e6)
  io.write('{' .. table.concat(parts, ', ') .. '}\n')
end
