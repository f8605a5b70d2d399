--[[
  Takes from, or settles, up to three token buckets atomically. Each bucket has a requests and a tokens
  dimension refilled continuously at "limit per minute", clocked by Redis server TIME so every gateway
  replica sharing this Redis sees one clock and one state (no over-admission under concurrency).

  KEYS[1..3]  bucket hashes; fields r and t hold the current levels, ts the last refill (ms).
              A bucket whose two limits are 0 is ignored (callers pad unused slots that way).
  ARGV[1]     mode: "take" admits only if every bucket holds the cost, then deducts it from all;
              "settle" charges the tokens cost unconditionally (negative refunds; the level may go into debt).
  ARGV[2]     requests cost (take; 0 for settle)
  ARGV[3]     tokens cost
  ARGV[4..9]  per bucket: requests per minute, tokens per minute (0 = that dimension is unlimited)

  Returns     { admitted (1|0), retry-after ms (0 when admitted),
                then per bucket: requests remaining, tokens remaining (floored; -1 = unlimited) }
]]
local MINUTE = 60000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local mode = ARGV[1]
local request_cost = tonumber(ARGV[2])
local token_cost = tonumber(ARGV[3])

local function refill(level, limit, elapsed)
  if limit <= 0 then return 0 end
  if level == nil then return limit end
  return math.min(limit, level + elapsed * limit / MINUTE)
end

local function deficit_ms(level, cost, limit)
  if limit <= 0 or level >= cost then return 0 end
  return math.ceil((cost - level) * MINUTE / limit)
end

local buckets = {}
local admitted = 1
local retry_after = 0
for i = 1, 3 do
  local rpm = tonumber(ARGV[2 + 2 * i])
  local tpm = tonumber(ARGV[3 + 2 * i])
  if rpm > 0 or tpm > 0 then
    local state = redis.call('HMGET', KEYS[i], 'r', 't', 'ts')
    local elapsed = math.max(0, now - (tonumber(state[3]) or now))
    local b = { key = KEYS[i], rpm = rpm, tpm = tpm,
                r = refill(tonumber(state[1]), rpm, elapsed), t = refill(tonumber(state[2]), tpm, elapsed) }
    if mode == 'take' then
      local wait = math.max(deficit_ms(b.r, request_cost, rpm), deficit_ms(b.t, token_cost, tpm))
      if wait > 0 then admitted = 0 end
      retry_after = math.max(retry_after, wait)
    end
    buckets[i] = b
  end
end

local result = { admitted, admitted == 1 and 0 or retry_after }
for i = 1, 3 do
  local b = buckets[i]
  if b then
    if admitted == 1 then
      if mode == 'take' and b.rpm > 0 then b.r = b.r - request_cost end
      if b.tpm > 0 then b.t = math.min(b.tpm, b.t - token_cost) end
      -- An unlimited dimension keeps whatever level it had (its limit may come back on a config reload).
      redis.call('HSET', b.key, 'ts', now)
      if b.rpm > 0 then redis.call('HSET', b.key, 'r', b.r) end
      if b.tpm > 0 then redis.call('HSET', b.key, 't', b.t) end
      -- The key may vanish once both levels would be full again: a missing bucket reads as full.
      local full_in = 0
      if b.rpm > 0 then full_in = math.max(full_in, (b.rpm - b.r) * MINUTE / b.rpm) end
      if b.tpm > 0 then full_in = math.max(full_in, (b.tpm - b.t) * MINUTE / b.tpm) end
      redis.call('PEXPIRE', b.key, math.ceil(full_in) + 1000)
    end
    table.insert(result, b.rpm > 0 and math.floor(b.r) or -1)
    table.insert(result, b.tpm > 0 and math.floor(b.t) or -1)
  else
    table.insert(result, -1)
    table.insert(result, -1)
  end
end
return result
