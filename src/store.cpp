#include "gcra/store.hpp"

namespace gcra {

std::vector<Result<Decision>> Store::apply_batch(std::span<const Request> requests) {
  std::vector<Result<Decision>> out;
  out.reserve(requests.size());
  for (const Request& r : requests) out.push_back(apply(*r.policy, r.key, r.cost, r.mode));
  return out;
}

void Store::apply_async(const Request& request, Callback done) {
  done(apply(*request.policy, request.key, request.cost, request.mode));
}

}  // namespace gcra
