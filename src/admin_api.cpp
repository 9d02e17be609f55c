// Admin handlers (see header).
#include "admin_api.hpp"

namespace rinha {

asio::awaitable<ApiResponse> AdminApi::handle(const ApiRequest& req) {
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path != "/metrics" && path != "/health") co_return error_response(404, "no such route");
  if (req.method != "GET") co_return error_response(405, "use GET");
  if (path == "/health") co_return ApiResponse{200, "{\"status\":\"ok\"}"};
  auto backlog = co_await queue_.backlog();
  co_return ApiResponse{200, metrics_.render(backlog, cfg_.app_name), "text/plain; version=0.0.4"};
}

}  // namespace rinha
