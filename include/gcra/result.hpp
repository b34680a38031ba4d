// Result<T>: a value or an Error. Runtime failures in gcra are values, never
// exceptions across the store interface.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace gcra {

enum class ErrorCode {
  invalid_argument,  // the caller passed something gcra cannot accept
  unavailable,       // the store could not be reached (connect refused, closed)
  timeout,           // the store did not answer in time
  protocol,          // the store answered something gcra does not understand
  internal,          // a bug or an unexpected state; the message says which
};

std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // human-readable, names the offending value

  std::string to_string() const;
};

// Holds either a T or an Error. Cheap to move; thread-safety is that of T.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}              // NOLINT: implicit by design
  // A default-constructed value, for callers that fill it in place.
  explicit Result(std::in_place_t) : v_(std::in_place_index<0>) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace gcra
