package redisstore

import (
	"crypto/sha1"
	"encoding/hex"

	"github.com/redis/rueidis"
)

// gcraScript applies GCRA to every key at once, with the server's clock (TIME), in
// microseconds. ARGV holds three numbers per key: emission interval, burst, cost. When every key
// has room all are charged (SET TAT PX until idle); otherwise none is. It returns four integers
// per key: allowed (1/0), remaining, retry-after µs, reset-after µs — describing the bucket as it
// stands after the script. Numbers are written with %.0f: Lua's default number formatting would
// round a microsecond timestamp.
const gcraLua = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
local out, old, new = {}, {}, {}
local all = true
for i = 1, n do
  local iv = tonumber(ARGV[3*i-2])
  local tol = iv * tonumber(ARGV[3*i-1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  old[i] = tat
  local nt = tat + iv * tonumber(ARGV[3*i])
  local diff = nt - now
  if diff <= tol then
    new[i] = nt
    out[4*i-3] = 1
    out[4*i-2] = math.floor((tol - diff) / iv)
    out[4*i-1] = 0
    out[4*i] = diff
  else
    all = false
    out[4*i-3] = 0
    out[4*i-2] = math.floor((tol - (tat - now)) / iv)
    out[4*i-1] = diff - tol
    out[4*i] = tat - now
  end
end
for i = 1, n do
  if all then
    redis.call('SET', KEYS[i], string.format('%.0f', new[i]), 'PX', string.format('%.0f', math.ceil((new[i] - now) / 1000)))
  elseif out[4*i-3] == 1 then
    local iv = tonumber(ARGV[3*i-2])
    local tol = iv * tonumber(ARGV[3*i-1])
    out[4*i-2] = math.floor((tol - (old[i] - now)) / iv)
    out[4*i] = old[i] - now
  end
end
return out
`

// gcraScript is retryable: rueidis re-sends it after a broken connection (as right after a Redis
// restart) within the caller's deadline. If the lost attempt had run, the request is charged
// twice: a rare under-admission, never an over-admission.
var gcraScript = rueidis.NewLuaScriptRetryable(gcraLua)

var gcraSHA = func() string {
	sum := sha1.Sum([]byte(gcraLua))
	return hex.EncodeToString(sum[:])
}()
