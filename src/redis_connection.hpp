// One pipelined connection to Redis over TCP or a unix socket. Commands are framed and
// replies parsed by hiredis (redisFormatCommandArgv / redisReader); the I/O is Asio's.
// Invariants: replies arrive in command order, so the FIFO of waiting commands is matched
// front to front; a command that misses its deadline marks the whole connection broken
// (every waiting command fails, the socket is closed and re-opened in the background),
// because a late reply could otherwise be matched to the wrong command. Each connection is
// a Link of its own (socket, reply parser); the read and write loops of a Link that is no
// longer the current one stop at their next step without touching anything, so bytes read
// from a broken connection (even a read already completed when it broke) are never fed to
// the commands issued after it. With a password, AUTH is the first exchange on every
// connection, before any command is sent on it.
#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace rinha {

namespace asio = boost::asio;

struct RedisReply {
  enum class Type { nil, integer, string, status, error, array, failure };
  Type type = Type::failure;
  int64_t integer = 0;
  std::string str;  // string, status, error text, or failure reason
  std::vector<RedisReply> elements;

  bool ok() const { return type != Type::error && type != Type::failure; }
  static RedisReply failed(std::string why) {
    RedisReply r;
    r.type = Type::failure;
    r.str = std::move(why);
    return r;
  }
};

struct RedisTarget {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket_path{};  // when set, used instead of host:port
  std::string password{};     // when set, AUTH is the first command on every connection
};

class RedisConnection {
 public:
  RedisConnection(asio::any_io_executor ex, RedisTarget target, std::chrono::milliseconds timeout,
                  std::string name);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Starts the background connect/read loop. Commands issued before the connection is up
  // wait for it (within their deadline).
  void start();
  void stop();

  // Sends one command: command("SET", key, value). The views must outlive the co_await.
  template <typename... Args>
  asio::awaitable<RedisReply> command(const Args&... args) {
    return command_argv(std::vector<std::string_view>{std::string_view(args)...});
  }
  // `extra_timeout` lengthens the deadline (for blocking commands).
  asio::awaitable<RedisReply> command_argv(std::vector<std::string_view> args,
                                           std::chrono::milliseconds extra_timeout = std::chrono::milliseconds{0});

  // True while a connection is up (and authenticated); false from the moment one breaks.
  bool connected() const { return connected_; }

 private:
  struct Pending;
  struct Link;
  asio::awaitable<void> run();
  asio::awaitable<RedisReply> authenticate(const std::shared_ptr<Link>& link);
  asio::awaitable<void> read_loop(const std::shared_ptr<Link>& link);
  asio::awaitable<void> write_loop(std::shared_ptr<Link> link);
  void kick_writer();
  // Closes the current connection (if up) and fails every waiting command.
  void break_link(std::string_view why);
  void fail_all(std::string_view why);

  asio::any_io_executor ex_;
  RedisTarget target_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  std::shared_ptr<Link> link_;     // the current connection: connecting, or up when connected_
  std::deque<Pending*> waiting_;   // sent or queued, awaiting a reply, in order
  std::string out_;                // framed commands not yet handed to the socket
  std::string writing_buf_;
  bool writing_ = false;
  bool connected_ = false;
  bool stopped_ = false;
  bool started_ = false;
};

}  // namespace rinha
