// UTC millisecond timestamps <-> ISO-8601 text ("2025-07-15T12:34:56.000Z").
// Internally time is always int64 milliseconds since the Unix epoch, UTC.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rinha {

using IsoBuffer = std::array<char, 32>;

// Formats as JavaScript's toISOString() does: YYYY-MM-DDTHH:MM:SS.mmmZ.
std::string_view format_iso8601_ms(int64_t epoch_ms, IsoBuffer& out);

// Accepts YYYY-MM-DDTHH:MM:SS with optional fraction (1-9 digits, truncated to ms) and an
// optional trailing 'Z' or "+00:00" (UTC only). Rejects anything else, out-of-range fields
// included.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace rinha
