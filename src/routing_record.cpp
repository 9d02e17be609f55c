// The routing record's text form (see routing_record.hpp).
#include "routing_record.hpp"

#include <charconv>
#include <fmt/format.h>

namespace rinha {
namespace {

void append_view(std::string& out, const ProcessorView& v) {
  fmt::format_to(std::back_inserter(out), "|{}|{}|{}|{}|{}|{}", v.health_known ? 1 : 0, v.health_failing ? 1 : 0,
                 v.min_response_ms, v.checked_at_ms, v.last_failure_ms, v.last_success_ms);
}

// Reads the next '|'-separated integer field of `s` into `out`.
bool next_int(std::string_view& s, int64_t& out) {
  if (s.empty() || s.front() != '|') return false;
  s.remove_prefix(1);
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  if (res.ec != std::errc{}) return false;
  s.remove_prefix(static_cast<size_t>(res.ptr - s.data()));
  return true;
}

bool read_view(std::string_view& s, ProcessorView& v) {
  int64_t known = 0, failing = 0;
  if (!next_int(s, known) || !next_int(s, failing) || !next_int(s, v.min_response_ms) ||
      !next_int(s, v.checked_at_ms) || !next_int(s, v.last_failure_ms) || !next_int(s, v.last_success_ms)) {
    return false;
  }
  v.health_known = known != 0;
  v.health_failing = failing != 0;
  return true;
}

}  // namespace

std::string encode_routing(const RoutingRecord& r) {
  std::string out = fmt::format("r1|{}|{}|{}", colour_name(r.colour), r.decided_at_ms, r.default_down_since_ms);
  append_view(out, r.default_view);
  append_view(out, r.fallback_view);
  return out;
}

std::optional<RoutingRecord> decode_routing(std::string_view text) {
  RoutingRecord r;
  if (auto bare = parse_colour(text)) {
    r.colour = *bare;
    return r;
  }
  if (text.substr(0, 3) != "r1|") return std::nullopt;
  text.remove_prefix(3);
  const auto bar = text.find('|');
  auto colour = parse_colour(text.substr(0, bar));
  if (!colour || bar == std::string_view::npos) return std::nullopt;
  r.colour = *colour;
  text.remove_prefix(bar);
  if (!next_int(text, r.decided_at_ms) || !next_int(text, r.default_down_since_ms) || !read_view(text, r.default_view) ||
      !read_view(text, r.fallback_view) || !text.empty()) {
    return std::nullopt;
  }
  return r;
}

}  // namespace rinha
