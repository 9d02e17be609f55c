// A payment as the router carries it from acceptance to the ledger, and its queue encoding.
// Invariant: once a payment has been sent to a processor its `pin` names that processor and
// `requested_at_ms` the timestamp sent; both are written to Redis BEFORE the send, and a
// pinned payment is only ever retried on the same processor with the same requestedAt.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rinha {

enum class Processor : uint8_t { none = 0, default_ = 1, fallback = 2 };

std::string_view processor_name(Processor p);  // "default" / "fallback" / "none"

// Canonical lowercase UUID text, 36 characters.
using CorrelationId = std::array<char, 36>;

// Parses any UUID text libuuid accepts into its canonical lowercase form.
std::optional<CorrelationId> parse_correlation_id(std::string_view text);
inline std::string_view id_view(const CorrelationId& id) { return {id.data(), id.size()}; }

struct Payment {
  CorrelationId id{};
  int64_t amount_cents = 0;
  int64_t accepted_at_ms = 0;
  Processor pin = Processor::none;  // processor that may hold it (set before the first send there)
  int64_t requested_at_ms = 0;      // requestedAt sent to `pin`; meaningful only when pinned
  bool in_doubt = false;            // a send to `pin` ended without a definite answer
  uint32_t attempts = 0;            // sends tried, for exponential backoff
};

// The queue item: "v1|<id>|<cents>|<accepted_ms>|<pin>|<requested_ms>|<doubt>|<attempts>",
// '|'-separated. ItemField is the one definition of its layout: the encoder writes the
// fields in this order, the decoder reads them by these positions, the Redis scripts get
// them as Lua locals (queue_item_lua_locals()), and the fakes and tests go through
// encode_payment/decode_payment.
enum class ItemField : int { version, id, cents, accepted_ms, pin, requested_ms, doubt, attempts };
inline constexpr int kItemFieldCount = 8;
inline constexpr std::string_view kItemVersion = "v1";
inline constexpr int item_position(ItemField f) { return static_cast<int>(f); }
static_assert(kItemFieldCount == item_position(ItemField::attempts) + 1);

std::string encode_payment(const Payment& p);
std::optional<Payment> decode_payment(std::string_view item);
// The item's key in a processing hash: the id field of "v1|<id>|...", or the whole text
// when it has none (a malformed item, still removable). The Lua take script derives it
// the same way: string.match(item, '^v1|([^|]+)|') or item.
std::string_view processing_field(std::string_view item);
// The layout for a Lua script, 1-based as Lua tables are, one line per field, to prepend
// to a script that reads items by field: "local ITEM_VERSION = 1\nlocal ITEM_ID = 2\n..."
// up to ITEM_ATTEMPTS, then "local ITEM_FIELDS = 8\n".
std::string queue_item_lua_locals();

}  // namespace rinha
