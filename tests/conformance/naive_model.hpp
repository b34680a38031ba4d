// A deliberately naive reference model of a store, for property tests.
//
// It is written as a token bucket, not as GCRA: each rate holds a credit
// `level` in nanoseconds (full = burst x T), refilled one nanosecond per
// nanosecond and spent c x T per admitted request. The two formulations are
// equivalent, so any difference from a store is a bug in one of them.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gcra/core.hpp"

namespace gcra::testing {

class NaiveModel {
 public:
  explicit NaiveModel(Policy policy) : policy_(std::move(policy)) {}

  void advance(Duration d) { now_ += d.count(); }
  void reset(const std::string& key) { keys_.erase(key); }

  Decision apply(const std::string& key, std::uint64_t cost, Mode mode) {
    if (cost == 0) {
      cost = 1;
      mode = Mode::peek;
    }
    const auto rates = policy_.rates();
    Bucket& bucket = bucket_for(key);
    // Refill every rate up to full.
    for (std::size_t i = 0; i < rates.size(); ++i) {
      bucket.level[i] = std::min(rates[i].tolerance().count(), bucket.level[i] + (now_ - bucket.last));
    }
    bucket.last = now_;

    bool allowed = true;
    for (std::size_t i = 0; i < rates.size(); ++i) {
      if (cost > rates[i].burst() || bucket.level[i] < need(rates[i], cost)) allowed = false;
    }
    if (allowed && mode == Mode::check) {
      for (std::size_t i = 0; i < rates.size(); ++i) bucket.level[i] -= need(rates[i], cost);
    }

    Decision d;
    d.allowed = allowed;
    d.rate_count = static_cast<std::uint8_t>(rates.size());
    for (std::size_t i = 0; i < rates.size(); ++i) {
      const std::int64_t interval = rates[i].emission_interval().count();
      RateStatus& s = d.rates[i];
      s.remaining = static_cast<std::uint64_t>(std::max<std::int64_t>(bucket.level[i], 0) / interval);
      s.reset_after = Duration{rates[i].tolerance().count() - bucket.level[i]};
      s.retry_after = Duration::zero();
      if (cost > rates[i].burst()) {
        s.retry_after = kNever;
      } else if (!allowed || mode == Mode::peek) {
        s.retry_after = Duration{std::max<std::int64_t>(0, need(rates[i], cost) - bucket.level[i])};
      }
    }
    // Deciding rate: denied -> longest wait; allowed -> fewest remaining;
    // ties -> first.
    std::size_t best = 0;
    for (std::size_t i = 1; i < rates.size(); ++i) {
      if (allowed ? d.rates[i].remaining < d.rates[best].remaining
                  : d.rates[i].retry_after > d.rates[best].retry_after) {
        best = i;
      }
    }
    d.rate_index = static_cast<std::uint8_t>(best);
    d.limit = rates[best].limit();
    d.retry_after = d.rates[best].retry_after;
    d.remaining = d.rates[0].remaining;
    for (std::size_t i = 0; i < rates.size(); ++i) {
      d.remaining = std::min(d.remaining, d.rates[i].remaining);
      d.reset_after = std::max(d.reset_after, d.rates[i].reset_after);
    }
    return d;
  }

 private:
  struct Bucket {
    std::vector<std::int64_t> level;
    std::int64_t last = 0;
  };

  static std::int64_t need(const Rate& rate, std::uint64_t cost) {
    return static_cast<std::int64_t>(cost) * rate.emission_interval().count();
  }

  Bucket& bucket_for(const std::string& key) {
    auto it = keys_.find(key);
    if (it != keys_.end()) return it->second;
    Bucket fresh;
    for (const Rate& rate : policy_.rates()) fresh.level.push_back(rate.tolerance().count());
    fresh.last = now_;
    return keys_.emplace(key, std::move(fresh)).first->second;
  }

  Policy policy_;
  std::int64_t now_ = 0;
  std::map<std::string, Bucket> keys_;
};

}  // namespace gcra::testing
