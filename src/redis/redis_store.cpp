#include "gcra/redis_store.hpp"

#include <atomic>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "async_pipeline.hpp"
#include "connection_pool.hpp"
#include "decide_call.hpp"
#include "resp.hpp"

namespace gcra {

using redis::AsyncPipeline;
using redis::ConnectionPool;
using redis::ReplyPtr;

struct RedisStore::Impl {
  explicit Impl(RedisStoreOptions opts, RedisUrl url)
      : options(std::move(opts)),
        config{std::move(url), options.connect_timeout, options.command_timeout, {}},
        pool(config, options.pool_size) {
    config.name = config.url.to_string();
  }

  // The request's key, or an error if gcra cannot store it.
  Result<std::string> key_for(const Policy& policy, std::string_view key) const;
  // "Now" for the script: nullopt = Redis TIME.
  Result<std::optional<Instant>> caller_now() const;
  bool caller_clock() const noexcept { return options.time_source != nullptr; }
  // The EVALSHA command deciding one request.
  Result<std::string> command_for(const Request& request) const;
  // Sends `commands` (RESP) back to back on one pooled connection and
  // returns a reply or an Error for each, in order. Commands answered
  // NOSCRIPT are resent once after loading the script again. A pooled
  // connection that fails with `unavailable` before any reply had most
  // likely been closed by the server while idle (a restart): the pool's idle
  // connections are dropped and the commands are sent once more on a new one.
  std::vector<Result<ReplyPtr>> exchange(std::span<const std::string_view> commands);
  std::vector<Result<ReplyPtr>> resend_after_noscript(redis::Connection& conn,
                                                      std::span<const std::string_view> commands,
                                                      std::vector<Result<ReplyPtr>> replies);
  // exchange() of one command.
  Result<ReplyPtr> call(std::string_view command);

  RedisStoreOptions options;
  redis::ConnectionConfig config;
  ConnectionPool pool;
  std::vector<std::unique_ptr<AsyncPipeline>> pipelines;
  std::atomic<std::size_t> next_pipeline{0};
};

namespace {

Error bad_option(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

Result<void> validate(const RedisStoreOptions& o) {
  constexpr Duration kLongest = std::chrono::hours(1);
  auto ms = [](Duration d) { return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
  if (o.connect_timeout <= Duration::zero() || o.connect_timeout > kLongest) {
    return bad_option("connect_timeout of " + ms(o.connect_timeout) + " ms is not between 0 and 1 hour");
  }
  if (o.command_timeout <= Duration::zero() || o.command_timeout > kLongest) {
    return bad_option("command_timeout of " + ms(o.command_timeout) + " ms is not between 0 and 1 hour");
  }
  if (o.pool_size == 0) return bad_option("pool_size must be at least 1");
  if (o.async_connections > 64) {
    return bad_option("async_connections of " + std::to_string(o.async_connections) + " is more than 64");
  }
  return {};
}

}  // namespace

Result<std::string> RedisStore::Impl::key_for(const Policy& policy, std::string_view key) const {
  if (key.size() > options.max_key_bytes) {
    return Error{ErrorCode::invalid_argument, "key of " + std::to_string(key.size()) +
                                                  " bytes is longer than the limit of " +
                                                  std::to_string(options.max_key_bytes)};
  }
  // The policy name follows the key's closing brace: a name holding '}'
  // could make two (key, policy) pairs share one Redis key.
  if (policy.name().find('}') != std::string::npos) {
    return Error{ErrorCode::invalid_argument,
                 "policy name \"" + policy.name() + "\" contains '}', which RedisStore cannot keep apart from keys"};
  }
  return redis::state_key(options.key_prefix, policy, key);
}

Result<std::optional<Instant>> RedisStore::Impl::caller_now() const {
  if (!options.time_source) return std::optional<Instant>{};
  const Instant now = options.time_source->now();
  if (now < Instant::zero() || now > kMaxInstant) {
    return Error{ErrorCode::invalid_argument,
                 "time_source reads " + std::to_string(now.count()) + " ns, outside [0, 2^62]"};
  }
  return std::optional<Instant>(now);
}

Result<std::string> RedisStore::Impl::command_for(const Request& request) const {
  auto key = key_for(*request.policy, request.key);
  if (!key) return key.error();
  auto now = caller_now();
  if (!now) return now.error();
  std::string command;
  command.reserve(160 + key->size() + 48 * request.policy->rates().size());
  redis::encode_decide(command, *key, *request.policy, request.cost, request.mode, *now);
  return command;
}

std::vector<Result<ReplyPtr>> RedisStore::Impl::exchange(std::span<const std::string_view> commands) {
  std::vector<Result<ReplyPtr>> replies;
  replies.reserve(commands.size());
  auto fail_rest = [&](const Error& error) {
    while (replies.size() < commands.size()) replies.emplace_back(error);
    return std::move(replies);
  };
  std::string joined;
  if (commands.size() > 1) {
    for (std::string_view c : commands) joined += c;
  }
  const std::string_view all = commands.size() == 1 ? commands[0] : std::string_view(joined);

  for (bool first = true;; first = false) {
    auto lease = pool.acquire();
    if (!lease) return fail_rest(lease.error());
    redis::Connection& conn = **lease;
    Result<void> ok = conn.send(all, config.command_deadline());
    while (ok && replies.size() < commands.size()) {
      // Each reply gets the whole command timeout: a long batch is not a slow Redis.
      auto reply = conn.receive(config.command_deadline());
      if (!reply) {
        ok = reply.error();
      } else {
        replies.emplace_back(std::move(*reply));
      }
    }
    if (!ok) {
      if (first && replies.empty() && lease->reused() && ok.error().code == ErrorCode::unavailable) {
        pool.discard_idle();  // the server closed its idle connections: a restart
        continue;
      }
      return fail_rest(ok.error());
    }
    return resend_after_noscript(conn, commands, std::move(replies));
  }
}

std::vector<Result<ReplyPtr>> RedisStore::Impl::resend_after_noscript(redis::Connection& conn,
                                                                       std::span<const std::string_view> commands,
                                                                       std::vector<Result<ReplyPtr>> replies) {
  std::string again;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i] && redis::is_noscript(**replies[i])) again += commands[i];
  }
  if (again.empty()) return replies;
  Result<void> ok = conn.load_script();
  if (ok) ok = conn.send(again, config.command_deadline());
  // The replies in order, with each NOSCRIPT replaced by its resent command's.
  std::vector<Result<ReplyPtr>> out;
  out.reserve(replies.size());
  for (Result<ReplyPtr>& reply : replies) {
    if (!reply || !redis::is_noscript(**reply)) {
      out.push_back(std::move(reply));
      continue;
    }
    if (ok) {
      auto resent = conn.receive(config.command_deadline());
      if (resent) {
        out.push_back(std::move(resent));
        continue;
      }
      ok = resent.error();
    }
    out.emplace_back(ok.error());
  }
  return out;
}

Result<ReplyPtr> RedisStore::Impl::call(std::string_view command) { return std::move(exchange({&command, 1})[0]); }

RedisStore::RedisStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::connect(RedisStoreOptions options) {
  if (auto valid = validate(options); !valid) return valid.error();
  auto url = RedisUrl::parse(options.url);
  if (!url) return url.error();
  const bool require = options.require_connection;
  const std::size_t async_connections = options.async_connections;
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*url));
  if (require) {
    auto first = redis::Connection::open(impl->config);
    if (!first) return first.error();
    impl->pool.adopt(std::move(*first));
  }
  try {
    for (std::size_t i = 0; i < async_connections; ++i) {
      impl->pipelines.push_back(std::make_unique<AsyncPipeline>(impl->config));
    }
  } catch (const std::exception& e) {
    return Error{ErrorCode::internal, std::string("cannot start the RedisStore's I/O thread: ") + e.what()};
  }
  return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

Result<Decision> RedisStore::apply(const Policy& policy, std::string_view key, std::uint64_t cost, Mode mode) {
  auto command = impl_->command_for(Request{&policy, key, cost, mode});
  if (!command) return command.error();
  auto reply = impl_->call(*command);
  if (!reply) return reply.error();
  return redis::decode_decide(**reply, policy, cost, mode, impl_->caller_clock(), impl_->config.name);
}

Result<void> RedisStore::reset(const Policy& policy, std::string_view key) {
  auto state = impl_->key_for(policy, key);
  if (!state) return state.error();
  std::string command;
  redis::RespWriter w(command);
  w.begin(2);
  w.arg("DEL");
  w.arg(*state);
  auto reply = impl_->call(command);
  if (!reply) return reply.error();
  if ((*reply)->type == REDIS_REPLY_INTEGER) return {};
  return redis::unexpected_reply("DEL on " + impl_->config.name, **reply, "an integer");
}

std::vector<Result<Decision>> RedisStore::apply_batch(std::span<const Request> requests) {
  std::vector<Result<Decision>> out;
  out.reserve(requests.size());
  std::vector<std::string> commands;  // of the valid requests
  for (const Request& r : requests) {
    auto command = impl_->command_for(r);
    if (command) commands.push_back(std::move(*command));
    out.emplace_back(command ? Result<Decision>(Decision{}) : Result<Decision>(command.error()));
  }
  if (commands.empty()) return out;
  const std::vector<std::string_view> views(commands.begin(), commands.end());
  auto replies = impl_->exchange(views);
  for (std::size_t i = 0, next = 0; i < requests.size(); ++i) {
    if (!out[i]) continue;
    const Request& r = requests[i];
    Result<ReplyPtr>& reply = replies[next++];
    out[i] = reply ? redis::decode_decide(**reply, *r.policy, r.cost, r.mode, impl_->caller_clock(), impl_->config.name)
                   : Result<Decision>(reply.error());
  }
  return out;
}

void RedisStore::apply_async(const Request& request, Callback done) {
  if (impl_->pipelines.empty()) return Store::apply_async(request, std::move(done));
  auto command = impl_->command_for(request);
  if (!command) return done(command.error());
  AsyncPipeline& pipeline =
      *impl_->pipelines[impl_->next_pipeline.fetch_add(1, std::memory_order_relaxed) % impl_->pipelines.size()];
  pipeline.submit(std::move(*command),
                  [policy = request.policy, cost = request.cost, mode = request.mode, caller_clock = impl_->caller_clock(),
                   &server = impl_->config.name, done = std::move(done)](Result<ReplyPtr> reply) {
                    if (!reply) return done(reply.error());
                    done(redis::decode_decide(**reply, *policy, cost, mode, caller_clock, server));
                  });
}

Result<void> RedisStore::ping() {
  auto reply = impl_->call("*1\r\n$4\r\nPING\r\n");
  if (!reply) return reply.error();
  if ((*reply)->type == REDIS_REPLY_STATUS && std::string_view((*reply)->str, (*reply)->len) == "PONG") return {};
  return redis::unexpected_reply("PING on " + impl_->config.name, **reply, "PONG");
}

std::string RedisStore::redis_key(const Policy& policy, std::string_view key) const {
  return redis::state_key(impl_->options.key_prefix, policy, key);
}

const RedisStoreOptions& RedisStore::options() const noexcept { return impl_->options; }

const RedisUrl& RedisStore::url() const noexcept { return impl_->config.url; }

}  // namespace gcra
