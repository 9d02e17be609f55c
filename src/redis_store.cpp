// RedisStore: each queue move is one Lua script (atomic, one round trip).
#include "redis_store.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <deque>
#include <fmt/format.h>

#include "books_lua.hpp"
#include "instance_token.hpp"
#include "log.hpp"

namespace rinha {
namespace {

constexpr const char* kIdsKey = "payments:ids";  // the id set when IDS_HORIZON is 0
constexpr const char* kBooksKey = "payments:books";
constexpr int64_t kTrimPerCall = 1000;  // ledger members removed per upkeep, at most (~0.3 ms)

constexpr const char* kDeadKey = "payments:dead";
constexpr const char* kRoutingKey = "payments:breaker:routing";  // the routing record (a stream of one)
constexpr const char* kInstancesKey = "payments:instances";
constexpr const char* kLeaseKey = "payments:health:owner";
constexpr const char* kSignalsKey = "payments:breaker:signals";
constexpr int kMaxSignals = 64;

const char* ledger_key(Processor p) {
  return p == Processor::fallback ? "payments:ledger:fallback" : "payments:ledger:default";
}

const char* agg_prefix(Processor p) {
  return p == Processor::fallback ? "payments:agg:fallback" : "payments:agg:default";
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The enqueue, record and summary scripts are the books': src/books_lua.hpp.

// KEYS: processing, queue. ARGV: field, new item. Back to the head (right end), only if
// still in processing: a retry after a lost reply must not queue the payment twice.
constexpr const char* kRequeueLua = R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
end
return 1)lua";

// KEYS: queue, processing. ARGV: max, pin (1|2), now ms. Items are
// "v1|id|cents|accepted|pin|requestedAt|doubt|attempts". Returns {item, prior_doubt, ...}.
// One RPOP with a count and one HSET for the whole batch (it was one RPOP and one HSET per
// payment, plus an RPOP that found the queue empty: 1.2 RPOPs per payment in final-2025).
// The processing hash is keyed by correlationId (processing_field()), so settling one
// payment costs O(1) whatever the number in flight (a list needed an LREM scan).
constexpr const char* kTakeLua = R"lua(
if tonumber(ARGV[1]) < 1 then return {} end
local items = redis.call('RPOP', KEYS[1], ARGV[1])
if not items then return {} end
local out, fields = {}, {}
for _, item in ipairs(items) do
  local prior
  -- The usual item (8 non-empty fields) in one match; anything else field by field.
  local head, pin, at, doubt, attempts = string.match(item, '^(v1|[^|]+|[^|]+|[^|]+|)([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  if head then
    prior = doubt
    if pin == '0' then pin, at = ARGV[2], ARGV[3] end
    item = head .. pin .. '|' .. at .. '|1|' .. attempts
  else
    local f = {}
    for part in string.gmatch(item, '[^|]+') do f[#f + 1] = part end
    prior = f[ITEM_DOUBT] or '0'
    if #f == ITEM_FIELDS then
      if f[ITEM_PIN] == '0' then
        f[ITEM_PIN] = ARGV[2]
        f[ITEM_REQUESTED_AT] = ARGV[3]
      end
      f[ITEM_DOUBT] = '1'
      item = table.concat(f, '|')
    end
  end
  fields[#fields + 1] = string.match(item, '^v1|([^|]+)|') or item
  fields[#fields + 1] = item
  out[#out + 1] = item
  out[#out + 1] = prior
end
redis.call('HSET', KEYS[2], unpack(fields))
return out)lua";
// The item's field positions (ITEM_*) are payment.hpp's ItemField, as Lua locals before the
// script. The patterns that read an item without splitting it (the usual item's one match
// here, the id here and in processing_field(), the accepted time in move_processing below)
// assume the same layout.
const std::string kTakeScript = queue_item_lua_locals() + kTakeLua;
static_assert(kItemVersion == "v1" && item_position(ItemField::id) == 1 && item_position(ItemField::accepted_ms) == 3 &&
              item_position(ItemField::pin) == 4 && item_position(ItemField::requested_ms) == 5 &&
              item_position(ItemField::doubt) == 6 && item_position(ItemField::attempts) == 7 && kItemFieldCount == 8);

// KEYS: processing, dead. ARGV: field, item. Idempotent like the requeue.
constexpr const char* kDeadLua = R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[2])
end
return 1)lua";

// A Lua function shared by the recovery and the takeover scripts: everything in the
// processing hash `from` goes to the head (right end) of the queue `to`, the earliest
// accepted at the very head (ties: by item text, so the order is deterministic), pins and
// doubt kept. A processing list left by an older version is moved as is.
constexpr std::string_view kMoveProcessingLua = R"lua(
local function move_processing(from, to)
  if redis.call('TYPE', from).ok == 'list' then
    local n = 0
    while redis.call('LMOVE', from, to, 'LEFT', 'RIGHT') do n = n + 1 end
    return n
  end
  local all = redis.call('HVALS', from)
  local function accepted(item)
    return tonumber(string.match(item, '^v1|[^|]+|[^|]+|(%d+)|') or '0') or 0
  end
  table.sort(all, function(a, b)
    local ta, tb = accepted(a), accepted(b)
    if ta ~= tb then return ta > tb end
    return a > b
  end)
  for _, item in ipairs(all) do redis.call('RPUSH', to, item) end
  redis.call('DEL', from)
  return #all
end
)lua";

// KEYS: processing, queue. This instance's payments in flight go back to its queue's head.
const std::string kRecoverLua = std::string(kMoveProcessingLua) + R"lua(
return move_processing(KEYS[1], KEYS[2]))lua";

// KEYS: instances, this instance's queue, its held set. ARGV: this instance's number. For
// every other member whose heartbeat key has expired: its queue, then its payments in
// flight (taken before anything still queued there), go to the head of this instance's
// queue, in order; its held payments join this instance's held set, each keeping its
// retry time; it leaves the set. One script, so two instances can never claim the same payment.
// (The per-instance keys are derived here from the member names: Redis runs unclustered.)
const std::string kClaimLua = std::string(kMoveProcessingLua) + R"lua(
local moved = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if m ~= ARGV[1] and redis.call('EXISTS', 'payments:alive:' .. m) == 0 then
    local q = 'payments:queue:' .. m
    while redis.call('LMOVE', q, KEYS[2], 'LEFT', 'RIGHT') do moved = moved + 1 end
    moved = moved + move_processing('payments:processing:' .. m, KEYS[2])
    local held = 'payments:held:' .. m
    local n = redis.call('ZCARD', held)
    if n > 0 then
      redis.call('ZUNIONSTORE', KEYS[3], 2, KEYS[3], held, 'AGGREGATE', 'MIN')
      redis.call('DEL', held)
      moved = moved + n
    end
    redis.call('SREM', KEYS[1], m)
  end
end
return moved)lua";

// KEYS: alive:<n>, instances. ARGV: n, ttl ms, this process's token. Returns 1 when this
// process was still alive (its own token was there), 0 when it had lapsed or just started.
constexpr const char* kHeartbeatLua = R"lua(
local was = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
if was == ARGV[3] then return 1 end
return 0)lua";

// KEYS: lease. ARGV: holder, ttl ms. 2: taken now, 1: renewed, 0: someone else has it.
constexpr const char* kLeaseLua = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0)lua";

// KEYS: instances, this instance's queue, its processing, its held set.
// {all queued, own queued, own in flight, own held}.
constexpr const char* kBacklogLua = R"lua(
local all = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do all = all + redis.call('LLEN', 'payments:queue:' .. m) end
local own = redis.call('LLEN', KEYS[2])
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then all = all + own end
return {all, own, redis.call('HLEN', KEYS[3]), redis.call('ZCARD', KEYS[4])})lua";

// KEYS: instances, then fixed keys to delete. Every instance's queue, processing and held too.
constexpr const char* kPurgeLua = R"lua(
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('DEL', 'payments:queue:' .. m, 'payments:processing:' .. m, 'payments:held:' .. m)
end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1)lua";

// KEYS: processing, held. ARGV: field, new item, due ms. Idempotent like the requeue.
constexpr const char* kHoldLua = R"lua(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
end
return 1)lua";

// KEYS: held, queue. ARGV: now ms, max. The due items, earliest first, to the tail of the
// queue (the LEFT end, where new payments arrive). Returns {released, still held}.
constexpr const char* kReleaseLua = R"lua(
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
  redis.call('LPUSH', KEYS[2], item)
end
return {#due, redis.call('ZCARD', KEYS[1])})lua";

constexpr size_t kMaxRecordBatch = 64;
constexpr size_t kMaxIntakeBatch = 64;

}  // namespace

RedisStore::RedisStore(asio::any_io_executor ex, const RedisTarget& target, int app_name, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds settle_window, BooksOptions books,
                       std::chrono::milliseconds intake_window)
    : queue_key_(fmt::format("payments:queue:{}", app_name)),
      processing_key_(fmt::format("payments:processing:{}", app_name)),
      alive_key_(fmt::format("payments:alive:{}", app_name)),
      instance_(std::to_string(app_name)),
      token_(instance_token(app_name)),
      held_key_(fmt::format("payments:held:{}", app_name)),
      http_(ex, target, timeout, "http"),
      work_(ex, target, timeout, "work"),
      summary_(ex, target, timeout, "summary"),
      listen_(ex, target, timeout, "listen"),
      enqueue_script_{books::kEnqueueLua, {}},
      take_script_{kTakeScript.c_str(), {}},
      record_script_{books::kRecordLua, {}},
      requeue_script_{kRequeueLua, {}},
      dead_script_{kDeadLua, {}},
      recover_script_{kRecoverLua.c_str(), {}},
      claim_script_{kClaimLua.c_str(), {}},
      heartbeat_script_{kHeartbeatLua, {}},
      lease_script_{kLeaseLua, {}},
      backlog_script_{kBacklogLua, {}},
      purge_script_{kPurgeLua, {}},
      hold_script_{kHoldLua, {}},
      release_script_{kReleaseLua, {}},
      summary_script_{books::kSummaryLua, {}},
      upkeep_script_{books::kUpkeepLua, {}},
      purge_books_script_{books::kPurgeMatchingLua, {}},
      books_(books),
      records_(ex, settle_window, kMaxRecordBatch,
               [this](const std::vector<LedgerEntry>& batch) { return record_batch(batch); }),
      intakes_(ex, intake_window, kMaxIntakeBatch,
               [this](const std::vector<IntakeEntry>& batch) { return intake_batch(batch); }) {}

void RedisStore::start() {
  http_.start();
  work_.start();
  summary_.start();
  listen_.start();
}

void RedisStore::stop() {
  http_.stop();
  work_.stop();
  summary_.stop();
  listen_.stop();
}

asio::awaitable<RedisReply> RedisStore::eval_argv(RedisConnection& conn, Script& script, int num_keys,
                                                  std::vector<std::string_view> keys_and_args) {
  const std::string nkeys = std::to_string(num_keys);
  std::vector<std::string_view> argv;
  argv.reserve(keys_and_args.size() + 3);
  if (!script.sha.empty()) {
    argv.push_back("EVALSHA");
    argv.push_back(script.sha);
    argv.push_back(nkeys);
    argv.insert(argv.end(), keys_and_args.begin(), keys_and_args.end());
    auto reply = co_await conn.command_argv(argv);
    if (!(reply.type == RedisReply::Type::error && reply.str.rfind("NOSCRIPT", 0) == 0)) co_return reply;
    argv.clear();
  }
  // First use, or the server lost its script cache (restart): load it, then run by text.
  auto loaded = co_await conn.command("SCRIPT", "LOAD", script.source);
  if (loaded.type == RedisReply::Type::string) script.sha = loaded.str;
  argv.push_back("EVAL");
  argv.push_back(script.source);
  argv.push_back(nkeys);
  argv.insert(argv.end(), keys_and_args.begin(), keys_and_args.end());
  co_return co_await conn.command_argv(argv);
}

// Idempotency with a horizon H: the ids accepted in bucket k = acceptedAt / H go to set
// ids:<k>, which expires 2H after the upkeep first sees it (so after its first id); an
// enqueue checks its bucket and the one before. So an id is remembered for at least H (at
// most about 2H), in O(1).
asio::awaitable<EnqueueStatus> RedisStore::enqueue(const Payment& p, bool waited_for) {
  return intake(p, false, waited_for);
}

asio::awaitable<EnqueueStatus> RedisStore::enqueue_taken(const Payment& p, bool waited_for) {
  return intake(p, true, waited_for);
}

// Collected into the intake window unless a client's answer waits for it.
asio::awaitable<EnqueueStatus> RedisStore::intake(const Payment& p, bool taken, bool waited_for) {
  if (intake_refused_) co_return EnqueueStatus::full;
  const int64_t h = books_.ids_horizon_ms;
  EnqueueStatus status = EnqueueStatus::unavailable;
  // (named, not a temporary inside the co_await: GCC 12, see record())
  IntakeEntry entry{h > 0 ? floor_div(p.accepted_at_ms, h) : 0, std::string(id_view(p.id)), encode_payment(p), taken, &status};
  if (intakes_.window().count() > 0 && !waited_for) {
    co_await intakes_.submit(std::move(entry));
  } else {
    std::vector<IntakeEntry> one;
    one.push_back(std::move(entry));
    co_await intake_batch(one);
  }
  co_return status;
}

// One script call for the batch (books_lua.hpp, kEnqueueLua): KEYS queue, processing, then
// each bucket the batch needs once; ARGV five per payment. Sets every caller's result.
asio::awaitable<bool> RedisStore::intake_batch(const std::vector<IntakeEntry>& batch) {
  const int64_t h = books_.ids_horizon_ms;
  std::vector<int64_t> buckets;             // KEYS[3 + i] = the key of buckets[i]
  std::deque<std::string> text;             // keys and indices: the args below view them
                                            // (a deque: growing it moves none of them)
  std::vector<std::string_view> args;
  args.reserve(2 + 7 * batch.size());
  args.push_back(queue_key_);
  args.push_back(processing_key_);
  auto key_index = [&](int64_t k) {
    for (size_t i = 0; i < buckets.size(); ++i) {
      if (buckets[i] == k) return i + 3;
    }
    buckets.push_back(k);
    text.push_back(h > 0 ? fmt::format("{}:{}", kIdsKey, k) : std::string(kIdsKey));
    args.push_back(text.back());
    return buckets.size() + 2;
  };
  std::vector<std::pair<size_t, size_t>> indices;  // (current, previous) per payment
  indices.reserve(batch.size());
  for (const IntakeEntry& e : batch) {
    const size_t cur = key_index(e.bucket);
    indices.emplace_back(cur, h > 0 ? key_index(e.bucket - 1) : cur);
  }
  const int num_keys = static_cast<int>(args.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    text.push_back(std::to_string(indices[i].first));
    args.push_back(text.back());
    text.push_back(std::to_string(indices[i].second));
    args.push_back(text.back());
    args.push_back(batch[i].id);
    args.push_back(batch[i].item);
    args.push_back(batch[i].taken ? "t" : "q");
  }
  auto reply = co_await eval_argv(http_, enqueue_script_, num_keys, std::move(args));
  if (reply.type == RedisReply::Type::array && reply.elements.size() == batch.size()) {
    for (size_t i = 0; i < batch.size(); ++i) {
      *batch[i].result = reply.elements[i].integer == 1 ? EnqueueStatus::accepted : EnqueueStatus::duplicate;
    }
    co_return true;
  }
  LOG_WARN("enqueue_failed", "reason=\"{}\" payments={}", reply.str, batch.size());
  const bool oom = reply.type == RedisReply::Type::error && reply.str.find("OOM") != std::string::npos;
  for (const IntakeEntry& e : batch) *e.result = oom ? EnqueueStatus::full : EnqueueStatus::unavailable;
  co_return false;
}

// One script call: O(edges + buckets), not O(payments) (books_lua.hpp, kSummaryLua).
asio::awaitable<std::optional<Summary>> RedisStore::summary(TimeRange range) {
  const std::string from = range.from_ms == std::numeric_limits<int64_t>::min() ? "-inf" : std::to_string(range.from_ms);
  const std::string to = range.to_ms == std::numeric_limits<int64_t>::max() ? "+inf" : std::to_string(range.to_ms);
  auto reply = co_await eval(summary_, summary_script_, 3, ledger_key(Processor::default_), ledger_key(Processor::fallback),
                             kBooksKey, from, to, agg_prefix(Processor::default_), agg_prefix(Processor::fallback));
  if (reply.type != RedisReply::Type::array || reply.elements.size() != 4) {
    if (reply.type == RedisReply::Type::error) LOG_WARN("summary_failed", "reason=\"{}\"", reply.str);
    co_return std::nullopt;
  }
  Summary s;
  s.default_ = Totals{reply.elements[0].integer, reply.elements[1].integer};
  s.fallback = Totals{reply.elements[2].integer, reply.elements[3].integer};
  co_return s;
}

asio::awaitable<bool> RedisStore::purge() {
  // Queues 1 and 2 by name too: instances that have not yet sent a heartbeat.
  auto reply = co_await eval(http_, purge_script_, 13, kInstancesKey, kIdsKey, "payments:queue:1", "payments:queue:2",
                             "payments:processing:1", "payments:processing:2", "payments:held:1", "payments:held:2",
                             ledger_key(Processor::default_), ledger_key(Processor::fallback), kDeadKey, kSignalsKey,
                             kBooksKey);
  if (reply.type != RedisReply::Type::integer) co_return false;
  // The rotating id sets and the aggregates carry a bucket number in their names.
  auto books = co_await eval(http_, purge_books_script_, 0, "payments:ids:*", "payments:agg:*");
  co_return books.type == RedisReply::Type::integer;
}

asio::awaitable<TakeResult> RedisStore::take(size_t max, Processor pin_to, int64_t now_ms) {
  const std::string count = std::to_string(max);
  const std::string pin = std::to_string(static_cast<int>(pin_to));
  const std::string now = std::to_string(now_ms);
  auto reply = co_await eval(work_, take_script_, 2, queue_key_, processing_key_, count, pin, now);
  TakeResult out;
  if (reply.type != RedisReply::Type::array) {
    out.kind = TakeResult::Kind::error;
    co_return out;
  }
  out.kind = reply.elements.empty() ? TakeResult::Kind::empty : TakeResult::Kind::items;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    out.items.push_back(TakenItem{std::move(reply.elements[i].str), reply.elements[i + 1].str == "1"});
  }
  co_return out;
}

asio::awaitable<bool> RedisStore::requeue_front(std::string_view old_item, std::string_view new_item) {
  auto reply = co_await eval(work_, requeue_script_, 2, processing_key_, queue_key_, processing_field(old_item), new_item);
  co_return reply.type == RedisReply::Type::integer;
}

// Coalesced: the records of one settle window go to Redis as one script call.
asio::awaitable<bool> RedisStore::record(std::string_view item, const Payment& p, Processor where) {
  // A named entry, not a temporary inside the co_await: GCC 12 mishandles the lifetime of
  // temporaries in co_await expressions (a double free, seen in the redis_store test).
  LedgerEntry entry{std::string(processing_field(item)), where == Processor::fallback ? '2' : '1',
                    std::to_string(p.requested_at_ms), fmt::format("{}:{}", id_view(p.id), p.amount_cents)};
  const bool ok = co_await records_.submit(std::move(entry));
  co_return ok;
}

asio::awaitable<bool> RedisStore::record_batch(const std::vector<LedgerEntry>& batch) {
  std::vector<std::string_view> args;
  const std::string tenths_ttl = std::to_string(std::max<int64_t>(books::kTenthsHorizonMs, 2 * books_.ledger_horizon_ms));
  const std::string seconds_ttl = std::to_string(std::max<int64_t>(books::kSecondsHorizonMs, 2 * books_.ledger_horizon_ms));
  args.reserve(7 + batch.size() * 4);
  args.push_back(processing_key_);
  args.push_back(ledger_key(Processor::default_));
  args.push_back(ledger_key(Processor::fallback));
  args.push_back(agg_prefix(Processor::default_));
  args.push_back(agg_prefix(Processor::fallback));
  args.push_back(tenths_ttl);
  args.push_back(seconds_ttl);
  for (const LedgerEntry& e : batch) {
    args.push_back(e.field);
    args.push_back(std::string_view(&e.ledger, 1));
    args.push_back(e.score);
    args.push_back(e.member);
  }
  auto reply = co_await eval_argv(work_, record_script_, 3, std::move(args));
  if (reply.type == RedisReply::Type::error) LOG_WARN("record_failed", "reason=\"{}\"", reply.str);
  co_return reply.type == RedisReply::Type::integer;
}

asio::awaitable<bool> RedisStore::dead_letter(std::string_view item) {
  auto reply = co_await eval(work_, dead_script_, 2, processing_key_, kDeadKey, processing_field(item), item);
  co_return reply.type == RedisReply::Type::integer;
}

asio::awaitable<bool> RedisStore::hold(std::string_view old_item, std::string_view new_item, int64_t due_ms) {
  const std::string due = std::to_string(due_ms);
  auto reply = co_await eval(work_, hold_script_, 2, processing_key_, held_key_, processing_field(old_item), new_item, due);
  co_return reply.type == RedisReply::Type::integer;
}

asio::awaitable<std::optional<HeldRelease>> RedisStore::release_held(int64_t now_ms, size_t max) {
  const std::string now = std::to_string(now_ms);
  const std::string count = std::to_string(max);
  auto reply = co_await eval(work_, release_script_, 2, held_key_, queue_key_, now, count);
  if (reply.type != RedisReply::Type::array || reply.elements.size() != 2) co_return std::nullopt;
  co_return HeldRelease{reply.elements[0].integer, reply.elements[1].integer};
}

asio::awaitable<std::optional<int64_t>> RedisStore::recover_in_flight() {
  auto reply = co_await eval(work_, recover_script_, 2, processing_key_, queue_key_);
  if (reply.type != RedisReply::Type::integer) co_return std::nullopt;
  co_return reply.integer;
}

asio::awaitable<std::optional<Backlog>> RedisStore::backlog() {
  auto reply = co_await eval(work_, backlog_script_, 4, kInstancesKey, queue_key_, processing_key_, held_key_, instance_);
  if (reply.type != RedisReply::Type::array || reply.elements.size() != 4) co_return std::nullopt;
  Backlog b;
  b.queued = reply.elements[0].integer;
  b.own_queued = reply.elements[1].integer;
  b.processing = reply.elements[2].integer;
  b.held = reply.elements[3].integer;
  co_return b;
}

asio::awaitable<std::optional<bool>> RedisStore::heartbeat(int64_t ttl_ms) {
  const std::string ttl = std::to_string(ttl_ms);
  auto reply = co_await eval(work_, heartbeat_script_, 2, alive_key_, kInstancesKey, instance_, ttl, token_);
  if (reply.type != RedisReply::Type::integer) co_return std::nullopt;
  co_return reply.integer == 1;
}

asio::awaitable<std::optional<int64_t>> RedisStore::claim_dead_instances() {
  auto reply = co_await eval(work_, claim_script_, 3, kInstancesKey, queue_key_, held_key_, instance_);
  if (reply.type != RedisReply::Type::integer) co_return std::nullopt;
  co_return reply.integer;
}

namespace {
// A blocking command's extra deadline. Redis ends an empty wait at its cron (hz 1 in
// deploy/redis.conf: a 1 s wait answers after up to 2 s), so twice the wait.
std::chrono::milliseconds listen_deadline(int64_t wait_ms) { return std::chrono::milliseconds(2 * wait_ms); }

// One stream entry [id, [field, value, ...]] -> the record in its field r.
std::optional<RoutingRecord> routing_entry(const RedisReply& entry) {
  if (entry.type != RedisReply::Type::array || entry.elements.size() != 2) return std::nullopt;
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str != "r") continue;
    auto record = decode_routing(fields[i + 1].str);
    if (!record) LOG_WARN("routing_record_unreadable", "text=\"{}\"", fields[i + 1].str);
    return record;
  }
  return std::nullopt;
}
}  // namespace

asio::awaitable<std::optional<RoutingRecord>> RedisStore::load_routing() {
  auto reply = co_await work_.command("XREVRANGE", kRoutingKey, "+", "-", "COUNT", "1");
  if (reply.type != RedisReply::Type::array) co_return std::nullopt;
  if (reply.elements.empty()) co_return RoutingRecord{};  // nothing decided yet
  co_return routing_entry(reply.elements[0]);
}

asio::awaitable<bool> RedisStore::save_routing(const RoutingRecord& r) {
  const std::string text = encode_routing(r);
  auto reply = co_await work_.command("XADD", kRoutingKey, "MAXLEN", "1", "*", "r", text);
  co_return reply.ok();
}

asio::awaitable<std::optional<RoutingRecord>> RedisStore::wait_routing(std::string& cursor, int64_t wait_ms) {
  const std::string block = std::to_string(wait_ms);
  const std::string after = cursor.empty() ? "0-0" : cursor;
  // (the argv built apart: GCC 12 cannot keep an initializer list alive across a co_await)
  std::vector<std::string_view> argv{"XREAD", "COUNT", "1", "BLOCK", block, "STREAMS", kRoutingKey, after};
  auto reply = co_await listen_.command_argv(std::move(argv), listen_deadline(wait_ms));
  // [[key, [[id, [field, value]]]]]; nil when the wait ended with nothing new.
  if (reply.type != RedisReply::Type::array || reply.elements.empty()) co_return std::nullopt;
  const RedisReply& stream = reply.elements[0];
  if (stream.elements.size() != 2 || stream.elements[1].elements.empty()) co_return std::nullopt;
  const RedisReply& entry = stream.elements[1].elements[0];
  if (entry.elements.empty()) co_return std::nullopt;
  cursor = entry.elements[0].str;
  co_return routing_entry(entry);
}

asio::awaitable<std::optional<LeaseState>> RedisStore::hold_health_lease(std::string_view holder, int64_t ttl_ms) {
  const std::string ttl = std::to_string(ttl_ms);
  auto reply = co_await eval(work_, lease_script_, 1, kLeaseKey, holder, ttl);
  if (reply.type != RedisReply::Type::integer) co_return std::nullopt;
  co_return reply.integer == 2 ? LeaseState::acquired : reply.integer == 1 ? LeaseState::renewed : LeaseState::held_by_other;
}

asio::awaitable<bool> RedisStore::reserve_health_call(Processor p, int64_t ttl_ms, bool only_if_free) {
  const std::string key = fmt::format("payments:health:call:{}", processor_name(p));
  const std::string ttl = std::to_string(ttl_ms);
  RedisReply reply;  // (not a ?: of two co_awaits: GCC 12 frees its temporaries twice)
  if (only_if_free) {
    reply = co_await work_.command("SET", key, token_, "NX", "PX", ttl);
  } else {
    reply = co_await work_.command("SET", key, token_, "PX", ttl);
  }
  co_return reply.type == RedisReply::Type::status;  // +OK; nil when NX found it taken
}

asio::awaitable<bool> RedisStore::push_signal(const FailureSignal& signal) {
  const std::string entry = fmt::format("{}:{}", processor_name(signal.processor), signal.sent_at_ms);
  auto reply = co_await work_.command("LPUSH", kSignalsKey, entry);
  if (reply.type == RedisReply::Type::integer && reply.integer > kMaxSignals) {
    co_await work_.command("LTRIM", kSignalsKey, "0", std::to_string(kMaxSignals - 1));
  }
  co_return reply.ok();
}

namespace {
// "<processor>:<sent_at_ms>" entries, oldest first.
std::vector<FailureSignal> parse_signals(const std::vector<RedisReply>& entries) {
  std::vector<FailureSignal> out;
  for (const auto& e : entries) {
    const std::string_view text = e.str;
    const auto colon = text.find(':');
    FailureSignal sig;
    const std::string_view name = text.substr(0, colon);
    if (name == "default") sig.processor = Processor::default_;
    else if (name == "fallback") sig.processor = Processor::fallback;
    else continue;
    if (colon != std::string_view::npos) {
      std::from_chars(text.data() + colon + 1, text.data() + text.size(), sig.sent_at_ms);
    }
    out.push_back(sig);
  }
  return out;
}
}  // namespace

asio::awaitable<std::vector<FailureSignal>> RedisStore::take_signals() {
  auto reply = co_await work_.command("RPOP", kSignalsKey, std::to_string(kMaxSignals));
  if (reply.type != RedisReply::Type::array) co_return std::vector<FailureSignal>{};
  co_return parse_signals(reply.elements);
}

asio::awaitable<std::vector<FailureSignal>> RedisStore::wait_signals(int64_t wait_ms) {
  // BLMPOP's timeout is in seconds (a decimal).
  const std::string timeout = fmt::format("{}.{:03}", wait_ms / 1000, wait_ms % 1000);
  const std::string count = std::to_string(kMaxSignals);
  std::vector<std::string_view> argv{"BLMPOP", timeout, "1", kSignalsKey, "RIGHT", "COUNT", count};
  auto reply = co_await listen_.command_argv(std::move(argv), listen_deadline(wait_ms));
  // [key, [entries]]; nil when the wait ended with nothing.
  if (reply.type != RedisReply::Type::array || reply.elements.size() != 2) co_return std::vector<FailureSignal>{};
  co_return parse_signals(reply.elements[1].elements);
}

asio::awaitable<std::optional<BooksState>> RedisStore::upkeep(int64_t now_ms) {
  BooksState st;
  std::string cutoff, current = kIdsKey, previous = kIdsKey, ttl;
  if (books_.ledger_horizon_ms > 0) cutoff = std::to_string(floor_div(now_ms - books_.ledger_horizon_ms, 1000) * 1000);
  if (books_.ids_horizon_ms > 0) {
    const int64_t h = books_.ids_horizon_ms;
    const int64_t k = floor_div(now_ms, h);
    current = fmt::format("{}:{}", kIdsKey, k);
    previous = fmt::format("{}:{}", kIdsKey, k - 1);
    ttl = std::to_string(2 * h);
  }
  const std::string most = std::to_string(kTrimPerCall);
  auto reply = co_await eval(work_, upkeep_script_, 5, ledger_key(Processor::default_), ledger_key(Processor::fallback),
                             kBooksKey, current, previous, cutoff, most, ttl);
  if (reply.type != RedisReply::Type::array || reply.elements.size() != 3) {
    if (reply.type == RedisReply::Type::error) LOG_WARN("upkeep_failed", "reason=\"{}\"", reply.str);
    co_return std::nullopt;
  }
  st.trimmed = reply.elements[0].integer;
  st.trim_bound_reached = st.trimmed >= kTrimPerCall;
  st.used_memory = reply.elements[1].integer;
  st.max_memory = reply.elements[2].integer;
  st.intake_refused = books_.intake_memory_percent > 0 && st.max_memory > 0 &&
                      st.used_memory * 100 >= st.max_memory * books_.intake_memory_percent;
  if (st.intake_refused != intake_refused_) {
    LOG_WARN(st.intake_refused ? "intake_refused_memory" : "intake_resumed_memory", "used_memory={} maxmemory={} limit_percent={}",
             st.used_memory, st.max_memory, books_.intake_memory_percent);
  }
  intake_refused_ = st.intake_refused;
  co_return st;
}

}  // namespace rinha
