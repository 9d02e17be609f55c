// Pipelined Redis client: framing and parsing by hiredis, sockets and deadlines by Asio.
#include "redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "log.hpp"

namespace rinha {

using asio::as_tuple;
using asio::use_awaitable;

struct RedisConnection::Pending {
  explicit Pending(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  RedisReply reply;
  bool done = false;
};

namespace {
RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_NIL: out.type = RedisReply::Type::nil; break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out = RedisReply::failed("unknown reply type");
  }
  return out;
}
}  // namespace

RedisConnection::RedisConnection(asio::any_io_executor ex, RedisTarget target, std::chrono::milliseconds timeout,
                                 std::string name)
    : ex_(ex), target_(std::move(target)), timeout_(timeout), name_(std::move(name)), socket_(ex), wake_(ex) {}

RedisConnection::~RedisConnection() {
  if (reader_) redisReaderFree(reader_);
}

void RedisConnection::start() {
  if (started_) return;
  started_ = true;
  asio::co_spawn(ex_, run(), asio::detached);
}

void RedisConnection::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  wake_.cancel();
  fail_all("stopped");
}

asio::awaitable<void> RedisConnection::run() {
  bool was_up = false;
  while (!stopped_) {
    boost::system::error_code ec;
    socket_ = asio::generic::stream_protocol::socket(ex_);
    if (!target_.socket_path.empty()) {
      asio::local::stream_protocol::endpoint ep(target_.socket_path);
      socket_.open(asio::generic::stream_protocol(ep.protocol()), ec);
      if (!ec) std::tie(ec) = co_await socket_.async_connect(ep, as_tuple(use_awaitable));
    } else {
      asio::ip::tcp::resolver resolver(ex_);
      auto [rec, results] = co_await resolver.async_resolve(target_.host, std::to_string(target_.port), as_tuple(use_awaitable));
      ec = rec;
      if (!ec) {
        ec = asio::error::host_not_found;
        for (const auto& entry : results) {
          asio::ip::tcp::endpoint tcp_ep = entry.endpoint();
          asio::generic::stream_protocol::endpoint ep(tcp_ep.data(), tcp_ep.size());
          boost::system::error_code oec;
          socket_.open(asio::generic::stream_protocol(ep.protocol()), oec);
          if (oec) continue;
          std::tie(ec) = co_await socket_.async_connect(ep, as_tuple(use_awaitable));
          if (!ec) {
            const int one = 1;
            ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            break;
          }
          socket_.close(oec);
        }
      }
    }
    if (stopped_) break;
    if (ec) {
      if (was_up || generation_ == 0) LOG_WARN("redis_connect_failed", "conn={} error=\"{}\"", name_, ec.message());
      was_up = false;
      ++generation_;
      asio::steady_timer pause(ex_, std::chrono::milliseconds(100));
      co_await pause.async_wait(as_tuple(use_awaitable));
      continue;
    }
    if (reader_) redisReaderFree(reader_);
    reader_ = redisReaderCreate();
    connected_ = true;
    was_up = true;
    ++generation_;
    LOG_INFO("redis_connected", "conn={}", name_);
    kick_writer();
    co_await read_loop();  // returns when the connection breaks
    connected_ = false;
    boost::system::error_code ignored;
    socket_.close(ignored);
    fail_all("connection lost");
  }
}

asio::awaitable<void> RedisConnection::read_loop() {
  char buf[16384];
  for (;;) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), as_tuple(use_awaitable));
    if (ec) {
      if (!stopped_) LOG_WARN("redis_disconnected", "conn={} error=\"{}\"", name_, ec.message());
      co_return;
    }
    if (redisReaderFeed(reader_, buf, n) != REDIS_OK) co_return;
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
        LOG_ERROR("redis_protocol_error", "conn={}", name_);
        co_return;
      }
      if (!raw) break;
      auto* reply = static_cast<redisReply*>(raw);
      if (!waiting_.empty()) {
        Pending* p = waiting_.front();
        waiting_.pop_front();
        p->reply = convert(reply);
        p->done = true;
        p->timer.cancel();
      }
      freeReplyObject(reply);
    }
  }
}

void RedisConnection::kick_writer() {
  if (writing_ || !connected_ || out_.empty()) return;
  writing_ = true;
  asio::co_spawn(ex_, write_loop(), asio::detached);
}

asio::awaitable<void> RedisConnection::write_loop() {
  const uint64_t gen = generation_;
  while (!out_.empty() && connected_ && gen == generation_) {
    writing_buf_.clear();
    writing_buf_.swap(out_);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(writing_buf_), as_tuple(use_awaitable));
    if (ec) {
      boost::system::error_code ignored;
      socket_.close(ignored);  // read_loop sees the error and run() fails what is waiting
      break;
    }
  }
  writing_ = false;
  if (gen != generation_) kick_writer();  // a newer connection may have commands to send
}

void RedisConnection::fail_all(std::string_view why) {
  out_.clear();
  while (!waiting_.empty()) {
    Pending* p = waiting_.front();
    waiting_.pop_front();
    p->reply = RedisReply::failed(std::string(why));
    p->done = true;
    p->timer.cancel();
  }
}

asio::awaitable<RedisReply> RedisConnection::command_argv(std::vector<std::string_view> args,
                                                          std::chrono::milliseconds extra_timeout) {
  if (stopped_) co_return RedisReply::failed("stopped");
  std::vector<const char*> argv(args.size());
  std::vector<size_t> lens(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    argv[i] = args[i].data();
    lens[i] = args[i].size();
  }
  char* framed = nullptr;
  const int len = redisFormatCommandArgv(&framed, static_cast<int>(args.size()), argv.data(), lens.data());
  if (len < 0) co_return RedisReply::failed("cannot format command");
  out_.append(framed, static_cast<size_t>(len));
  redisFreeCommand(framed);

  Pending pending(ex_);
  pending.timer.expires_after(timeout_ + extra_timeout);
  waiting_.push_back(&pending);
  kick_writer();
  co_await pending.timer.async_wait(as_tuple(use_awaitable));
  if (!pending.done) {
    LOG_WARN("redis_timeout", "conn={} command={}", name_, args.empty() ? "" : args[0]);
    boost::system::error_code ignored;
    socket_.close(ignored);  // breaks the connection: a late reply must not be misattributed
    fail_all("timeout");
  }
  co_return std::move(pending.reply);
}

}  // namespace rinha
