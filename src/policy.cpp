#include "gcra/policy.hpp"

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace gcra {
namespace {

constexpr std::size_t kMaxNameBytes = 200;

bool is_printable(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Interns policy names for the life of the process. Distinct names are few
// (one per configured policy), so the table never needs to forget one.
std::uint32_t intern(const std::string& name) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::uint32_t> ids;
  std::lock_guard<std::mutex> guard(mutex);
  return ids.try_emplace(name, static_cast<std::uint32_t>(ids.size())).first->second;
}

}  // namespace

Result<Policy> Policy::make(std::vector<Rate> rates, std::string name) {
  auto fail = [](std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; };
  if (rates.empty()) return fail("a policy needs at least one rate");
  if (rates.size() > kMaxRatesPerPolicy) {
    return fail("a policy holds at most " + std::to_string(kMaxRatesPerPolicy) + " rates, got " +
                std::to_string(rates.size()));
  }
  Policy policy;
  policy.rates_ = std::move(rates);
  policy.name_ = name.empty() ? policy.rates_string() : std::move(name);
  if (policy.name_.size() > kMaxNameBytes || !is_printable(policy.name_)) {
    return fail("policy name \"" + policy.name_ + "\" must be 1 to " + std::to_string(kMaxNameBytes) +
                " printable ASCII characters");
  }
  policy.name_id_ = intern(policy.name_);
  return policy;
}

Policy::Policy(std::vector<Rate> rates, std::string name) {
  auto made = make(std::move(rates), std::move(name));
  if (!made) throw std::invalid_argument(made.error().message);
  *this = std::move(*made);
}

Result<Policy> Policy::parse(std::string_view text, std::string name) {
  std::vector<Rate> rates;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find_first_of(";,|", start);
    std::string_view piece = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (piece.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return Error{ErrorCode::invalid_argument,
                   "invalid policy \"" + std::string(text) + "\": empty rate at offset " +
                       std::to_string(start)};
    }
    auto rate = Rate::parse(piece);
    if (!rate) return rate.error();
    rates.push_back(*rate);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return make(std::move(rates), std::move(name));
}

std::string Policy::rates_string() const {
  std::string out;
  for (const Rate& rate : rates_) {
    if (!out.empty()) out += ';';
    out += rate.to_string();
  }
  return out;
}

}  // namespace gcra
