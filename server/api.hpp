// The HTTP API: /v1/check, /v1/peek, /v1/reset, /v1/forward-auth/{policy},
// /metrics, /healthz, /readyz (docs/http-api.md).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "api_json.hpp"
#include "api_settings.hpp"
#include "gcra/store.hpp"
#include "http_server.hpp"
#include "metrics.hpp"

namespace gcra::server {

// Thread-safety: handle() runs on every I/O thread at once; each worker
// reads only its own settings slot, which install() replaces on that
// worker's thread (HttpServer::post_to_workers), so a reload never races a
// request and requests never contend on a shared pointer.
class Api final : public Handler {
 public:
  // `store_is_remote`: the store may block (Redis): decisions go through
  // apply_async and blocking calls (reset, ping) to a helper thread. An
  // in-process store is called inline.
  Api(Store& store, Metrics& metrics, std::size_t workers, bool store_is_remote);
  ~Api() override;

  // Replaces worker `worker`'s settings; call on that worker's thread, or
  // before the server starts.
  void install(std::size_t worker, std::shared_ptr<const ApiSettings> settings);

  void handle(const RequestContext& context, Responder responder) override;

  // Where a request came from, kept for async completions.
  struct Origin {
    std::size_t worker = 0;
    Endpoint endpoint = Endpoint::other;
    std::chrono::steady_clock::time_point received;
  };
  struct PendingDecisions;

 private:
  void decide(const RequestContext& context, Responder responder, Mode mode, Origin origin);
  void forward_auth(const RequestContext& context, Responder responder, std::string_view policy_path,
                    Origin origin);
  void reset(const RequestContext& context, Responder responder, Origin origin);
  void ready(Responder responder, Origin origin);

  void finish(const Origin& origin, Responder& responder, Response response);
  Response decisions_response(const std::vector<const PolicyRuntime*>& policies,
                              std::vector<Result<Decision>>& results, bool batch, Mode mode,
                              std::size_t worker);
  Response forward_auth_response(const PolicyRuntime& policy, const Result<Decision>& result,
                                 std::size_t worker);
  void complete(const std::shared_ptr<PendingDecisions>& pending);

  const ApiSettings& settings(std::size_t worker) const { return *slots_[worker].settings; }

  struct alignas(64) Slot {
    std::shared_ptr<const ApiSettings> settings;
  };

  Store& store_;
  Metrics& metrics_;
  bool remote_;
  std::vector<Slot> slots_;
  boost::asio::thread_pool blocking_{1};  // reset and ping of a remote store
};

// Whether `presented` equals `expected`, in time that does not depend on
// where they differ (both are hashed first, then compared in full).
bool tokens_match(std::string_view presented, std::string_view expected) noexcept;

}  // namespace gcra::server
