// Policy: the ordered rates that apply to one key, decided all or nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gcra/rate.hpp"
#include "gcra/result.hpp"

namespace gcra {

// Most rates one policy may hold; keeps a Decision allocation-free.
inline constexpr std::size_t kMaxRatesPerPolicy = 8;

// An immutable, always-valid policy. Thread-safety: immutable, share freely.
//
// The name namespaces state in a store: two policies with the same name share
// their keys' state, so renaming a policy starts every key afresh and
// changing the rates of a named policy keeps it. Without a name, the policy is
// named by its rates (e.g. "100/1m;1000/1h").
class Policy {
 public:
  // Throws std::invalid_argument: no rates, more than kMaxRatesPerPolicy, or
  // a name that is not 1 to 200 printable ASCII characters.
  explicit Policy(std::vector<Rate> rates, std::string name = {});
  Policy(Rate rate) : Policy(std::vector<Rate>{rate}) {}  // NOLINT: implicit by design

  static Result<Policy> make(std::vector<Rate> rates, std::string name = {});

  // "100/minute;1000/hour" (';', ',' or '|' between rates).
  static Result<Policy> parse(std::string_view text, std::string name = {});

  std::span<const Rate> rates() const noexcept { return rates_; }
  const std::string& name() const noexcept { return name_; }
  // A small number standing for name() in this process: equal names, equal
  // ids. Stores use it to namespace state without comparing names.
  std::uint32_t name_id() const noexcept { return name_id_; }

  // The rates as text that parse() accepts back.
  std::string rates_string() const;

  friend bool operator==(const Policy& a, const Policy& b) {
    return a.name_ == b.name_ && a.rates_ == b.rates_;
  }

 private:
  Policy() = default;

  std::vector<Rate> rates_;
  std::string name_;
  std::uint32_t name_id_ = 0;
};

}  // namespace gcra
