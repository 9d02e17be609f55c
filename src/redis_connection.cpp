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

// One connection: its socket and its reply parser, never reused after it breaks.
struct RedisConnection::Link {
  explicit Link(asio::any_io_executor ex) : socket(ex), reader(redisReaderCreate()) {}
  ~Link() { redisReaderFree(reader); }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  void close() {
    boost::system::error_code ignored;
    socket.close(ignored);
  }
  asio::generic::stream_protocol::socket socket;
  redisReader* reader;
};

namespace {
std::string frame(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv(args.size());
  std::vector<size_t> lens(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    argv[i] = args[i].data();
    lens[i] = args[i].size();
  }
  char* framed = nullptr;
  const int len = redisFormatCommandArgv(&framed, static_cast<int>(args.size()), argv.data(), lens.data());
  if (len < 0) return {};
  std::string out(framed, static_cast<size_t>(len));
  redisFreeCommand(framed);
  return out;
}
}  // namespace

RedisConnection::RedisConnection(asio::any_io_executor ex, RedisTarget target, std::chrono::milliseconds timeout,
                                 std::string name)
    : ex_(ex), target_(std::move(target)), timeout_(timeout), name_(std::move(name)) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::start() {
  if (started_) return;
  started_ = true;
  asio::co_spawn(ex_, run(), asio::detached);
}

void RedisConnection::stop() {
  stopped_ = true;
  if (link_) link_->close();  // also aborts a connect in progress
  link_.reset();
  connected_ = false;
  fail_all("stopped");
}

void RedisConnection::break_link(std::string_view why) {
  if (connected_) {
    link_->close();
    link_.reset();  // its loops see they are stale and stop; run() opens the next one
    connected_ = false;
  }
  fail_all(why);
}

asio::awaitable<void> RedisConnection::run() {
  bool was_up = false, first = true;
  while (!stopped_) {
    auto link = std::make_shared<Link>(ex_);
    link_ = link;
    auto& socket = link->socket;
    boost::system::error_code ec;
    if (!target_.socket_path.empty()) {
      asio::local::stream_protocol::endpoint ep(target_.socket_path);
      socket.open(asio::generic::stream_protocol(ep.protocol()), ec);
      if (!ec) std::tie(ec) = co_await socket.async_connect(ep, as_tuple(use_awaitable));
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
          socket.open(asio::generic::stream_protocol(ep.protocol()), oec);
          if (oec) continue;
          std::tie(ec) = co_await socket.async_connect(ep, as_tuple(use_awaitable));
          if (!ec) {
            const int one = 1;
            ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            break;
          }
          socket.close(oec);
        }
      }
    }
    if (stopped_) break;
    bool ok = !ec;
    if (ec && (was_up || first)) LOG_WARN("redis_connect_failed", "conn={} error=\"{}\"", name_, ec.message());
    if (ok && !target_.password.empty()) {
      RedisReply auth = co_await authenticate(link);
      if (stopped_) break;
      ok = auth.type == RedisReply::Type::status && auth.str == "OK";
      if (!ok && (was_up || first)) LOG_WARN("redis_auth_failed", "conn={} reply=\"{}\"", name_, auth.str);
    }
    first = false;
    if (!ok) {
      was_up = false;
      link->close();
      asio::steady_timer pause(ex_, std::chrono::milliseconds(100));
      co_await pause.async_wait(as_tuple(use_awaitable));
      continue;
    }
    connected_ = true;
    was_up = true;
    LOG_INFO("redis_connected", "conn={}", name_);
    kick_writer();
    co_await read_loop(link);  // returns when the connection breaks
    if (link_ == link) {
      // Broken here (read error, EOF): what waited on it fails. When a timeout broke it
      // instead, that already failed its commands; those issued since wait for the next.
      link_.reset();
      connected_ = false;
      fail_all("connection lost");
    }
    link->close();
  }
}

// AUTH as the first exchange of a new connection, under the command deadline.
asio::awaitable<RedisReply> RedisConnection::authenticate(const std::shared_ptr<Link>& link) {
  asio::steady_timer guard(ex_);
  guard.expires_after(timeout_);
  guard.async_wait([link](const boost::system::error_code& ec) {
    if (!ec) link->close();
  });
  const std::string framed = frame({"AUTH", target_.password});
  RedisReply reply = RedisReply::failed("no answer");
  auto [wec, written] = co_await asio::async_write(link->socket, asio::buffer(framed), as_tuple(use_awaitable));
  if (!wec) {
    char buf[512];
    for (bool got = false; !got;) {
      auto [rec, n] = co_await link->socket.async_read_some(asio::buffer(buf), as_tuple(use_awaitable));
      if (rec || redisReaderFeed(link->reader, buf, n) != REDIS_OK) break;
      void* raw = nullptr;
      if (redisReaderGetReply(link->reader, &raw) != REDIS_OK) break;
      if (raw) {
        reply = convert(static_cast<redisReply*>(raw));
        freeReplyObject(raw);
        got = true;
      }
    }
  }
  guard.cancel();
  co_return reply;
}

asio::awaitable<void> RedisConnection::read_loop(const std::shared_ptr<Link>& link) {
  char buf[16384];
  for (;;) {
    auto [ec, n] = co_await link->socket.async_read_some(asio::buffer(buf), as_tuple(use_awaitable));
    if (link_ != link) co_return;  // broken meanwhile: what was read belongs to failed commands
    if (ec) {
      if (!stopped_) LOG_WARN("redis_disconnected", "conn={} error=\"{}\"", name_, ec.message());
      co_return;
    }
    if (redisReaderFeed(link->reader, buf, n) != REDIS_OK) co_return;
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(link->reader, &raw) != REDIS_OK) {
        LOG_ERROR("redis_protocol_error", "conn={}", name_);
        co_return;
      }
      if (!raw) break;
      auto* reply = static_cast<redisReply*>(raw);
      if (waiting_.empty()) {  // a reply nothing asked for: the stream cannot be trusted
        freeReplyObject(reply);
        LOG_ERROR("redis_unexpected_reply", "conn={}", name_);
        co_return;
      }
      Pending* p = waiting_.front();
      waiting_.pop_front();
      p->reply = convert(reply);
      p->done = true;
      p->timer.cancel();
      freeReplyObject(reply);
    }
  }
}

void RedisConnection::kick_writer() {
  if (writing_ || !connected_ || out_.empty()) return;
  writing_ = true;
  std::shared_ptr<Link> link = link_;
  asio::co_spawn(ex_, write_loop(std::move(link)), asio::detached);
}

asio::awaitable<void> RedisConnection::write_loop(std::shared_ptr<Link> link) {
  while (!out_.empty() && link_ == link) {
    writing_buf_.clear();
    writing_buf_.swap(out_);
    auto [ec, n] = co_await asio::async_write(link->socket, asio::buffer(writing_buf_), as_tuple(use_awaitable));
    if (ec) {
      link->close();  // read_loop sees the error and run() fails what is waiting
      break;
    }
  }
  writing_ = false;
  if (link_ != link) kick_writer();  // a newer connection may have commands to send
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
  const std::string framed = frame(args);
  if (framed.empty()) co_return RedisReply::failed("cannot format command");
  out_ += framed;

  Pending pending(ex_);
  pending.timer.expires_after(timeout_ + extra_timeout);
  waiting_.push_back(&pending);
  kick_writer();
  co_await pending.timer.async_wait(as_tuple(use_awaitable));
  if (!pending.done) {
    LOG_WARN("redis_timeout", "conn={} command={}", name_, args.empty() ? "" : args[0]);
    break_link("timeout");  // a late reply must not be misattributed
  }
  co_return std::move(pending.reply);
}

}  // namespace rinha
