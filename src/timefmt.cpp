// ISO-8601 conversion with C++20 calendar types (no locale, no time zone database).
#include "timefmt.hpp"

#include <chrono>
#include <fmt/format.h>

namespace rinha {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string_view format_iso8601_ms(int64_t epoch_ms, IsoBuffer& out) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{epoch_ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  const auto res = fmt::format_to_n(out.data(), out.size(), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                                    static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                    static_cast<unsigned>(ymd.day()), hms.hours().count(),
                                    hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
  return {out.data(), res.size};
}

std::optional<int64_t> parse_iso8601_ms(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3) ms = ms * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = n; i < 3; ++i) ms *= 10;
  }
  const std::string_view rest = s.substr(pos);
  if (!(rest.empty() || rest == "Z" || rest == "z" || rest == "+00:00")) return std::nullopt;
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} + milliseconds{ms};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace rinha
