// A fixed-bucket histogram of durations, written by the model threads with relaxed atomics and
// read at scrape time, so the request path pays a few increments for per-phase histograms.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "job.h"

namespace proton {

// Upper bounds of Proton's latency buckets, from 50 µs (a tiny model) to 10 s (Mask R-CNN on
// CPU): one table for every phase, the front-end's request histogram included (exported to JS).
inline constexpr std::array<uint64_t, 17> kLatencyBucketBoundsNs = {
    50'000,      100'000,       250'000,       500'000,       1'000'000,     2'500'000,
    5'000'000,   10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000,
    500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

struct HistogramSnapshot {
  // counts[i]: durations in (bounds[i-1], bounds[i]]; the last one: above every bound.
  std::vector<uint64_t> counts;
  uint64_t sumNs = 0;
};

class DurationHistogram {
 public:
  void Record(Clock::duration d) {
    const auto signedNs = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    const uint64_t ns = signedNs > 0 ? static_cast<uint64_t>(signedNs) : 0;
    size_t bucket = 0;
    while (bucket < kLatencyBucketBoundsNs.size() && ns > kLatencyBucketBoundsNs[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sumNs_.fetch_add(ns, std::memory_order_relaxed);
  }

  HistogramSnapshot Load() const {
    HistogramSnapshot snapshot;
    snapshot.counts.reserve(counts_.size());
    for (const auto& count : counts_)
      snapshot.counts.push_back(count.load(std::memory_order_relaxed));
    snapshot.sumNs = sumNs_.load(std::memory_order_relaxed);
    return snapshot;
  }

 private:
  std::array<std::atomic<uint64_t>, kLatencyBucketBoundsNs.size() + 1> counts_{};
  std::atomic<uint64_t> sumNs_{0};
};

}  // namespace proton
