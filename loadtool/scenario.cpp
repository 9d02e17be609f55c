// Scenario file parsing with Boost.JSON; every field is optional except the ones that make
// a test (duration_s, max_vus, amount_cents), and a wrong type names the field.
#include "scenario.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace loadtool {
namespace json = boost::json;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("scenario: " + what);
}

int64_t get_int(const json::object& o, const char* key, int64_t fallback, bool required = false) {
  auto* v = o.if_contains(key);
  if (!v) {
    if (required) fail(std::string("missing field '") + key + "'");
    return fallback;
  }
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double() && std::floor(v->as_double()) == v->as_double())
    return static_cast<int64_t>(v->as_double());
  fail(std::string("field '") + key + "' must be an integer");
}

bool get_bool(const json::object& o, const char* key, bool fallback) {
  auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_bool()) fail(std::string("field '") + key + "' must be true/false");
  return v->as_bool();
}

double get_number(const json::object& o, const char* key, double fallback) {
  auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  fail(std::string("field '") + key + "' must be a number");
}

std::string get_string(const json::object& o, const char* key, const std::string& fallback) {
  auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_string()) fail(std::string("field '") + key + "' must be a string");
  return std::string(v->as_string());
}

const json::object* get_object(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return nullptr;
  if (!v->is_object()) fail(std::string("field '") + key + "' must be an object");
  return &v->as_object();
}

ProcessorCondition parse_condition(const json::object& stage, const char* key) {
  const json::object* o = get_object(stage, key);
  if (!o) fail(std::string("stage without '") + key + "'");
  return ProcessorCondition{get_int(*o, "delay_ms", 0), get_bool(*o, "failure", false)};
}

}  // namespace

Scenario scenario_parse(const std::string& json_text) {
  json::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec) fail("invalid JSON: " + ec.message());
  if (!root.is_object()) fail("top level must be an object");
  const json::object& o = root.as_object();

  Scenario s;
  s.name = get_string(o, "name", "unnamed");
  s.duration_s = get_int(o, "duration_s", 0, true);
  s.max_vus = get_int(o, "max_vus", 0, true);
  s.amount_cents = get_int(o, "amount_cents", 0, true);
  s.request_timeout_ms = get_int(o, "request_timeout_ms", s.request_timeout_ms);
  s.vu_sleep_ms = get_int(o, "vu_sleep_ms", s.vu_sleep_ms);
  if (s.duration_s < 1) fail("duration_s must be >= 1");
  if (s.max_vus < 1) fail("max_vus must be >= 1");
  if (s.amount_cents < 1) fail("amount_cents must be >= 1");

  if (const json::object* fees = get_object(o, "fees")) {
    s.default_fee_ppm = std::llround(get_number(*fees, "default", 0.05) * 1e6);
    s.fallback_fee_ppm = std::llround(get_number(*fees, "fallback", 0.15) * 1e6);
  }

  if (auto* st = o.if_contains("stages")) {
    if (!st->is_array()) fail("field 'stages' must be an array");
    for (const json::value& v : st->as_array()) {
      if (!v.is_object()) fail("each stage must be an object");
      const json::object& so = v.as_object();
      Stage stage;
      stage.at_s = get_int(so, "at_s", 0, true);
      stage.default_ = parse_condition(so, "default");
      stage.fallback_ = parse_condition(so, "fallback");
      if (!s.stages.empty() && stage.at_s < s.stages.back().at_s)
        fail("stages must be in increasing at_s order");
      s.stages.push_back(stage);
    }
  }

  if (const json::object* c = get_object(o, "consistency")) {
    s.consistency_period_s = get_int(*c, "period_s", s.consistency_period_s);
    s.consistency_from_offset_ms = get_int(*c, "from_offset_ms", s.consistency_from_offset_ms);
    s.consistency_to_offset_ms = get_int(*c, "to_offset_ms", s.consistency_to_offset_ms);
    std::string mode = get_string(*c, "compare", "sum_of_abs");
    if (mode == "sum_of_abs") s.compare = CompareMode::SumOfAbs;
    else if (mode == "abs_of_sum") s.compare = CompareMode::AbsOfSum;
    else fail("consistency.compare must be sum_of_abs or abs_of_sum");
    if (s.consistency_period_s < 1) fail("consistency.period_s must be >= 1");
  }

  if (const json::object* t = get_object(o, "teardown")) {
    std::string src = get_string(*t, "source", "processors");
    if (src == "processors") s.teardown_source = TeardownSource::Processors;
    else if (src == "backend") s.teardown_source = TeardownSource::Backend;
    else fail("teardown.source must be backend or processors");
    s.teardown_window_s = get_int(*t, "window_s", s.teardown_window_s);
  }

  if (const json::object* sc = get_object(o, "score"))
    s.round_like_final = get_bool(*sc, "round_like_final", s.round_like_final);
  return s;
}

Scenario scenario_load(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return scenario_parse(ss.str());
}

int64_t scenario_vus_at(const Scenario& s, int64_t elapsed_ms) {
  const int64_t total_ms = s.duration_s * 1000;
  if (elapsed_ms <= 0) return 1;
  if (elapsed_ms >= total_ms) return s.max_vus;
  return 1 + (s.max_vus - 1) * elapsed_ms / total_ms;
}

int64_t scenario_vu_start_ms(const Scenario& s, int64_t vu) {
  if (vu <= 1 || s.max_vus <= 1) return 0;
  // Smallest t with 1 + (max-1)*t/total >= vu, i.e. ceil((vu-1)*total/(max-1)).
  const int64_t total_ms = s.duration_s * 1000;
  return ((vu - 1) * total_ms + (s.max_vus - 2)) / (s.max_vus - 1);
}

}  // namespace loadtool
