// ISO-8601 UTC timestamps <-> UTC milliseconds since the epoch. The processors keep
// requestedAt with millisecond precision, so parsing truncates finer fractions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// Accepts "YYYY-MM-DDTHH:MM:SS", optionally ".f" (1-9 digits), optionally "Z" or
// "+HH:MM"/"-HH:MM". Without a zone the time is taken as UTC. nullopt if malformed.
std::optional<int64_t> iso_parse_utc_ms(std::string_view text);

// Formats like JavaScript toISOString(): "2025-07-15T12:34:56.000Z".
std::string iso_format_utc_ms(int64_t utc_ms);

}  // namespace sim
