// The books' Lua scripts (RedisStore runs them; bench/ledger_bench preloads with the record
// script itself). Keys, beside the queue keys of redis_store.hpp:
//   ids:<k>                 set of the correlationIds accepted in idempotency bucket k
//                           (k = acceptedAt / IDS_HORIZON); lives 2 horizons after the
//                           upkeep first saw it (within a second of its first id)
//   ledger:<processor>      sorted set, member "<id>:<cents>", score requestedAt ms; members
//                           older than LEDGER_HORIZON are trimmed, by whole seconds
//   books                   hash <processor> -> ms from which that ledger is complete (the
//                           trim's mark: seconds starting before it may have lost members)
//   agg:<processor>:d:<s>   hash of second s's tenths: n<d> count, c<d> cents (d = 0..9);
//                           expires kTenthsHorizon after the last of its buckets began
//   agg:<processor>:s:<m>   hash of minute m's seconds: n<s>, c<s> (s = 0..59); expires
//                           kSecondsHorizon after the last of its buckets began
//   agg:<processor>:m:<h>   hash of hour h's minutes: n<m>, c<m> (m = 0..59)
//   agg:<processor>:h       hash of every hour: n<h>, c<h>
// Each aggregate hash holds at most 120 fields (the listpack encoding: compact and O(1)
// enough), except the hour level: 2 fields per hour of the books' history.
#pragma once

namespace rinha::books {

// How long the per-100 ms and per-second aggregates live after their last write, at least
// (they answer the edges of a window once the ledger's members are gone). RedisStore gives
// them at least twice the ledger horizon.
constexpr long long kTenthsHorizonMs = 3600LL * 1000;
constexpr long long kSecondsHorizonMs = 24LL * 3600 * 1000;

// The intake of a batch of payments (one, or those of one INTAKE_WINDOW), in order, as if
// each were its own call. KEYS: queue, processing hash, then the idempotency buckets the
// batch needs (ids:<k> sets). ARGV: groups of five: the KEYS index of the payment's
// bucket, of the bucket before it, its id, its item, and 't' when it goes straight to a
// worker (processing hash, field = id) or 'q' for the queue (LPUSH). Returns one integer
// per payment: 1 accepted, 0 a duplicate (held in either bucket, or earlier in the batch).
// Per batch, not per payment: one SMISMEMBER per bucket named, one SADD per bucket written,
// one HSET and one LPUSH (it was a SISMEMBER, a SADD and an HSET per payment).
// SADD is the first write, and Redis refuses (OOM) only a script's first write under
// maxmemory: so a refused batch changed nothing, and an accepted one is written whole.
// The buckets' expiry is set by the upkeep (RedisStore::upkeep, every second on each
// instance), not here: one call less per payment.
constexpr const char* kEnqueueLua = R"lua(
-- Which ids each bucket already holds: one SMISMEMBER per bucket the batch names, not a
-- SISMEMBER and a SADD per payment (redis.call's own cost is most of a small command's).
local ask = {}
local function want(k, id)
  local q = ask[k]
  if not q then q = {}; ask[k] = q end
  q[#q + 1] = id
end
for i = 1, #ARGV, 5 do
  want(ARGV[i], ARGV[i + 2])
  if ARGV[i + 1] ~= ARGV[i] then want(ARGV[i + 1], ARGV[i + 2]) end
end
local held = {}
for k, ids in pairs(ask) do
  local found = redis.call('SMISMEMBER', KEYS[tonumber(k)], unpack(ids))
  local h = {}
  for j, id in ipairs(ids) do if found[j] == 1 then h[id] = true end end
  held[k] = h
end
local out, seen, adds, order, taken, pushes = {}, {}, {}, {}, {}, {}
for i = 1, #ARGV, 5 do
  local cur, id = ARGV[i], ARGV[i + 2]
  local new = 0
  if not seen[id] and not held[cur][id] and not held[ARGV[i + 1]][id] then
    seen[id] = true
    local a = adds[cur]
    if not a then a = {}; adds[cur] = a; order[#order + 1] = cur end
    a[#a + 1] = id
    if ARGV[i + 4] == 't' then
      taken[#taken + 1] = id
      taken[#taken + 1] = ARGV[i + 3]
    else
      pushes[#pushes + 1] = ARGV[i + 3]
    end
    new = 1
  end
  out[#out + 1] = new
end
for _, k in ipairs(order) do redis.call('SADD', KEYS[tonumber(k)], unpack(adds[k])) end
if #taken > 0 then redis.call('HSET', KEYS[2], unpack(taken)) end
if #pushes > 0 then redis.call('LPUSH', KEYS[1], unpack(pushes)) end
return out)lua";

// KEYS: processing, ledger:default, ledger:fallback. ARGV: agg prefix default, agg prefix
// fallback, tenths ttl ms, seconds ttl ms, then groups of four: processing field, ledger
// (1 default, 2 fallback), requestedAt ms, member "<id>:<cents>". Settles a whole batch in
// one call. Idempotent: only the payments still in the processing hash, and not yet in
// the ledger, are booked, so a batch whose reply was lost can simply be sent again. The aggregates are summed in Lua
// first (per 100 ms, then per second): a batch (settled within 20 ms) touches one or two of
// each, so the increments cost a few calls per batch, not per payment.
// allow-oom: settling only moves an accepted payment from the processing hash to the books
// (a few tens of bytes net); refusing it under maxmemory would leave a worker retrying for
// ever with the payment paid. The intake keeps the headroom (INTAKE_MEMORY_LIMIT).
constexpr const char* kRecordLua = R"lua(#!lua flags=allow-oom
local fields = {}
for i = 5, #ARGV, 4 do fields[#fields + 1] = ARGV[i] end
local present = redis.call('HMGET', KEYS[1], unpack(fields))
redis.call('HDEL', KEYS[1], unpack(fields))
local ledgers, tenths, seconds, order_t, order_s = {{}, {}}, {}, {}, {}, {}
local function bump(map, order, n, i, cents)
  local g = n .. ':' .. i
  local t = map[g]
  if not t then
    t = {n, i, 0, 0}
    map[g] = t
    order[#order + 1] = t
  end
  t[3] = t[3] + 1
  t[4] = t[4] + cents
end
-- Still in processing (not settled yet) and not already in that ledger (a replay accepted
-- again past IDS_HORIZON, that the same processor answered 422): booked now.
local cand = {{}, {}}
for j = 1, #fields do
  if present[j] then
    local base = 4 * j + 1
    local c = cand[tonumber(ARGV[base + 1])]
    c[#c + 1] = base
  end
end
for n = 1, 2 do
  local c = cand[n]
  if #c > 0 then
    local members = {}
    for i, base in ipairs(c) do members[i] = ARGV[base + 3] end
    local scores = redis.call('ZMSCORE', KEYS[1 + n], unpack(members))
    local l = ledgers[n]
    for i, base in ipairs(c) do
      if not scores[i] then
        l[#l + 1] = ARGV[base + 2]
        l[#l + 1] = ARGV[base + 3]
        local at = tonumber(ARGV[base + 2])
        local cents = tonumber(string.match(ARGV[base + 3], ':(%d+)$'))
        bump(tenths, order_t, n, math.floor(at / 100), cents)
        bump(seconds, order_s, n, math.floor(at / 1000), cents)
      end
    end
    if #l > 0 then redis.call('ZADD', KEYS[1 + n], unpack(l)) end
  end
end
for _, t in ipairs(order_t) do
  local sec = math.floor(t[2] / 10)
  local key = ARGV[t[1]] .. ':d:' .. sec
  local d = t[2] - sec * 10
  -- The expiry is (re)set when a bucket begins: about once per 100 ms, not per batch.
  if redis.call('HINCRBY', key, 'n' .. d, t[3]) == t[3] then redis.call('PEXPIRE', key, ARGV[3]) end
  redis.call('HINCRBY', key, 'c' .. d, t[4])
end
for _, t in ipairs(order_s) do
  local prefix, sec = ARGV[t[1]], t[2]
  local minute = math.floor(sec / 60)
  local hour = math.floor(minute / 60)
  local s, m = sec - minute * 60, minute - hour * 60
  local skey = prefix .. ':s:' .. minute
  local mkey = prefix .. ':m:' .. hour
  local hkey = prefix .. ':h'
  if redis.call('HINCRBY', skey, 'n' .. s, t[3]) == t[3] then redis.call('PEXPIRE', skey, ARGV[4]) end
  redis.call('HINCRBY', skey, 'c' .. s, t[4])
  redis.call('HINCRBY', mkey, 'n' .. m, t[3])
  redis.call('HINCRBY', mkey, 'c' .. m, t[4])
  redis.call('HINCRBY', hkey, 'n' .. hour, t[3])
  redis.call('HINCRBY', hkey, 'c' .. hour, t[4])
end
return #fields)lua";

// KEYS: ledger:default, ledger:fallback, books. ARGV: from ms, to ms (inclusive; '-inf' /
// '+inf'), agg prefix default, agg prefix fallback. Returns {count default, cents default,
// count fallback, cents fallback}.
// The window [from, to+1) is cut into: the partial tenths of a second at its edges, read
// from the ledger (exact to the ms); the whole tenths up to the next second; the whole
// seconds up to the next minute; the whole minutes up to the next hour; the whole hours
// between. At most 2x100 ms of ledger members + 2x9 tenths + 2x59 seconds + 2x59 minutes +
// the hours: the cost does not grow with the payments in the books.
// Where the finer data is gone (ledger trimmed, a per-100 ms or per-second hash expired),
// that edge is rounded outward to the finest level still complete there.
constexpr const char* kSummaryLua = R"lua(#!lua flags=no-writes
local S = {100, 1000, 60000, 3600000}        -- bucket sizes of levels 1..4 (0: the ledger)
local PART = {10, 60, 60}                     -- buckets per key of levels 1..3 (4: one key)
local NAME = {':d:', ':s:', ':m:'}
local function fmt(x) return string.format('%.0f', x) end
local function level_key(prefix, k, i)
  if k == 4 then return prefix .. ':h', i end
  local p = math.floor(i / PART[k])
  return prefix .. NAME[k] .. p, i - p * PART[k]
end
-- Adds buckets [x, y) of level k (x, y multiples of its size; level 0: the ledger).
local function add(acc, prefix, ledger, k, x, y)
  if x >= y then return end
  if k == 0 then
    local members = redis.call('ZRANGE', ledger, fmt(x), '(' .. fmt(y), 'BYSCORE')
    for _, m in ipairs(members) do
      acc[1] = acc[1] + 1
      acc[2] = acc[2] + tonumber(string.match(m, ':(%d+)$'))
    end
    return
  end
  local i0, i1 = x / S[k], y / S[k] - 1
  if k == 4 and i1 - i0 > 64 then
    local all = redis.call('HGETALL', prefix .. ':h')
    for j = 1, #all, 2 do
      local i = tonumber(string.sub(all[j], 2))
      if i >= i0 and i <= i1 then
        if string.byte(all[j], 1) == 110 then acc[1] = acc[1] + tonumber(all[j + 1])
        else acc[2] = acc[2] + tonumber(all[j + 1]) end
      end
    end
    return
  end
  -- Each key's run of buckets: HMGET when short; HGETALL and a filter when long (HMGET
  -- scans the listpack once per field: 118 fields cost 3x an HGETALL of the 120).
  local i = i0
  while i <= i1 do
    local key, f0 = level_key(prefix, k, i)
    local j = k == 4 and i1 or math.min(i1, i - f0 + PART[k] - 1)
    local f1 = f0 + (j - i)
    if k < 4 and j - i >= 16 then
      local all = redis.call('HGETALL', key)
      for q = 1, #all, 2 do
        local f = tonumber(string.sub(all[q], 2))
        if f >= f0 and f <= f1 then
          if string.byte(all[q], 1) == 110 then acc[1] = acc[1] + tonumber(all[q + 1])
          else acc[2] = acc[2] + tonumber(all[q + 1]) end
        end
      end
    else
      local fields = {}
      for f = f0, f1 do
        fields[#fields + 1] = 'n' .. f
        fields[#fields + 1] = 'c' .. f
      end
      local vals = redis.call('HMGET', key, unpack(fields))
      for v = 1, #vals, 2 do
        acc[1] = acc[1] + (tonumber(vals[v]) or 0)
        acc[2] = acc[2] + (tonumber(vals[v + 1]) or 0)
      end
    end
    i = j + 1
  end
end
-- Level k (1..3) is gone at t when its key for t is absent while the bucket above counts
-- payments (the key expired; absent and uncounted: nothing was booked there).
local function gone(prefix, k, t)
  local above = math.floor(t / S[k + 1])
  if redis.call('EXISTS', prefix .. NAME[k] .. above) == 1 then return false end
  local key, f = level_key(prefix, k + 1, above)
  return redis.call('HEXISTS', key, 'n' .. f) == 1
end
-- The finest level k such that levels k.. are all complete at the bucket holding t
-- (minutes and hours never expire).
local function finest(prefix, mark, t)
  for k = 2, 1, -1 do
    if gone(prefix, k, t) then return k + 1 end
  end
  if math.floor(t / S[1]) * S[1] >= mark then return 0 end
  return 1
end
local lim = 1125899906842624
local a = ARGV[1] == '-inf' and -lim or tonumber(ARGV[1])
local b = ARGV[2] == '+inf' and lim or tonumber(ARGV[2]) + 1
if ARGV[1] == '-inf' then a = math.floor(a / S[4]) * S[4] end
if ARGV[2] == '+inf' then b = math.ceil(b / S[4]) * S[4] end
local out = {}
for n = 1, 2 do
  local prefix, ledger = ARGV[2 + n], KEYS[n]
  local mark = tonumber(redis.call('HGET', KEYS[3], ledger) or '-9007199254740992')
  local acc = {0, 0}
  local kl, kr = finest(prefix, mark, a), finest(prefix, mark, b - 1)
  local sl, sr = kl == 0 and 1 or S[kl], kr == 0 and 1 or S[kr]
  local lo, hi = math.floor(a / sl) * sl, math.ceil(b / sr) * sr
  local done = false
  for k = 1, 4 do
    local lo2, hi2 = math.ceil(lo / S[k]) * S[k], math.floor(hi / S[k]) * S[k]
    if lo2 >= hi2 then
      add(acc, prefix, ledger, k - 1, lo, hi)
      done = true
      break
    end
    add(acc, prefix, ledger, k - 1, lo, lo2)
    add(acc, prefix, ledger, k - 1, hi2, hi)
    lo, hi = lo2, hi2
  end
  if not done then add(acc, prefix, ledger, 4, lo, hi) end
  out[#out + 1] = acc[1]
  out[#out + 1] = acc[2]
end
return out)lua";

// The books' upkeep, one call (every second on each instance; it was four: the trim, two
// PEXPIREs and an INFO, a quarter of Redis's fixed calls in final-2025).
// KEYS: ledger:default, ledger:fallback, books, ids (current bucket), ids (previous bucket).
// ARGV: cutoff ms (a multiple of 1000; '' = no trim), most members removed per ledger, the
// id buckets' expiry ms ('' = none). Returns {members removed, used_memory, maxmemory}.
// The trim removes the members older than the cutoff, oldest first, at most that many per
// call (a bounded pause), and moves the mark: seconds before it may have lost members, so
// summaries read them from the aggregates. The id buckets get their expiry (2 horizons)
// unless they have one (NX): the enqueue script leaves it to this. Only deletes and
// expiries: allow-oom, so it frees memory when Redis is full.
constexpr const char* kUpkeepLua = R"lua(#!lua flags=allow-oom
local removed = 0
if ARGV[1] ~= '' then
  local cutoff, most = tonumber(ARGV[1]), tonumber(ARGV[2])
  for n = 1, 2 do
    local key = KEYS[n]
    local old = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[1])
    local mark = cutoff
    if old > most then
      local last = redis.call('ZRANGE', key, most - 1, most - 1, 'WITHSCORES')
      mark = math.floor(tonumber(last[2]) / 1000) * 1000 + 1000
      old = most
    end
    if old > 0 then
      -- The mark moves only when members went: until then, every second is complete.
      redis.call('ZREMRANGEBYRANK', key, 0, old - 1)
      removed = removed + old
      local prev = tonumber(redis.call('HGET', KEYS[3], key) or '-9007199254740992')
      if mark > prev then redis.call('HSET', KEYS[3], key, string.format('%.0f', mark)) end
    end
  end
end
if ARGV[3] ~= '' then
  redis.call('PEXPIRE', KEYS[4], ARGV[3], 'NX')
  redis.call('PEXPIRE', KEYS[5], ARGV[3], 'NX')
end
local info = redis.call('INFO', 'memory')
local used = tonumber(string.match(info, '\nused_memory:(%d+)') or '0')
local max = tonumber(string.match(info, '\nmaxmemory:(%d+)') or '0')
return {removed, used, max})lua";

// ARGV: key patterns. Deletes every key matching them (the rotating id sets and the
// aggregates: their names carry a bucket number). For purge: the keyspace is small.
constexpr const char* kPurgeMatchingLua = R"lua(#!lua flags=allow-oom
local n = 0
for _, pattern in ipairs(ARGV) do
  local cursor = '0'
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000)
    for _, k in ipairs(r[2]) do n = n + redis.call('UNLINK', k) end
    cursor = r[1]
  until cursor == '0'
end
return n)lua";

}  // namespace rinha::books
