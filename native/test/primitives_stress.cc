// Stress test of the worker's concurrency primitives on their own (no ONNX Runtime, no Node):
// JobQueue hammered by several producers and consumers with a checked sum, WakeSignal driving
// sleeping consumers the way ModelWorker does, PollWindow's adaptation rule, and UsableCpusFrom.
// Prints one JSON line per scenario; exits non-zero on the first broken check. Run by
// test/native-primitives.test.ts.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../job_queue.h"
#include "../poll_window.h"
#include "../usable_cpus.h"
#include "../wake_signal.h"

namespace {

using proton::JobQueue;
using proton::PollWindow;
using proton::WakeSignal;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::exit(1);
}

std::string Counts(const std::vector<uint64_t>& counts) {
  std::string out = "[";
  for (size_t i = 0; i < counts.size(); ++i) out += (i ? "," : "") + std::to_string(counts[i]);
  return out + "]";
}

// Several producers and consumers; every value is taken exactly once.
void HammerQueue(int producers, int consumers, uint64_t perProducer) {
  JobQueue<uint64_t> queue(256);
  const uint64_t total = perProducer * static_cast<uint64_t>(producers);
  std::vector<std::atomic<uint8_t>> seen(total);
  std::atomic<uint64_t> taken{0};
  std::atomic<uint64_t> sum{0};
  std::vector<uint64_t> perConsumer(consumers, 0);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (uint64_t i = 0; i < perProducer; ++i) {
        const uint64_t value = static_cast<uint64_t>(p) * perProducer + i;
        while (!queue.TryPush(value)) std::this_thread::yield();
      }
    });
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      uint64_t value = 0;
      while (taken.load(std::memory_order_relaxed) < total) {
        if (!queue.TryPop(value)) {
          std::this_thread::yield();
          continue;
        }
        if (value >= total || seen[value].fetch_add(1) != 0) Fail("value taken twice or invalid");
        sum.fetch_add(value, std::memory_order_relaxed);
        taken.fetch_add(1, std::memory_order_relaxed);
        ++perConsumer[c];
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  if (sum.load() != total * (total - 1) / 2) Fail("queue: checked sum differs");
  // Per-consumer counts are reported, not checked: how the OS schedules six threads on few cores
  // decides them, not the queue.
  std::printf("{\"scenario\":\"queue\",\"total\":%llu,\"perConsumer\":%s}\n",
              static_cast<unsigned long long>(total), Counts(perConsumer).c_str());
}

void Work() {
  // Some microseconds of CPU per item, so a burst outlasts any consumer's wake-up.
  volatile uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = x + static_cast<uint64_t>(i);
}

// One producer bursts items at sleeping consumers, which wait and hand on wake-ups exactly like
// ModelWorker::SleepForJob / Serve (without the poll). A woken consumer that keeps draining must
// not leave the others asleep: each round at least two consumers work (the burst outlasts a
// wake-up by far; with the bug exactly one does), and over all rounds every consumer works.
void WakeRounds(int consumers, int rounds, uint64_t perRound) {
  JobQueue<uint64_t> queue(perRound * 2);
  WakeSignal wake;
  std::atomic<uint64_t> queued{0};
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> sum{0};
  std::atomic<uint64_t> done{0};
  std::vector<std::atomic<uint64_t>> perConsumer(consumers);
  auto take = [&](uint64_t& value) {
    if (!queue.TryPop(value)) return false;
    queued.fetch_sub(1, std::memory_order_relaxed);
    return true;
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      for (;;) {
        uint64_t value = 0;
        if (!take(value)) {
          const uint32_t epoch = wake.PrepareWait();
          if (take(value)) {
            wake.CancelWait();
          } else if (stopping.load(std::memory_order_acquire)) {
            wake.CancelWait();
            return;
          } else {
            wake.Wait(epoch);
            continue;
          }
        }
        if (queued.load(std::memory_order_acquire) > 0) wake.NotifyOne();
        Work();
        sum.fetch_add(value, std::memory_order_relaxed);
        perConsumer[c].fetch_add(1, std::memory_order_relaxed);
        done.fetch_add(1, std::memory_order_release);
      }
    });
  }
  std::vector<uint64_t> before(consumers, 0);
  for (int round = 0; round < rounds; ++round) {
    // Let every consumer fall asleep first.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (uint64_t i = 0; i < perRound; ++i) {
      queued.fetch_add(1, std::memory_order_release);
      if (!queue.TryPush(round * perRound + i)) Fail("wake: queue full");
      wake.NotifyOne();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (done.load(std::memory_order_acquire) < (round + 1) * perRound) {
      if (std::chrono::steady_clock::now() > deadline) Fail("wake: items left unprocessed");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::vector<uint64_t> inRound(consumers);
    for (int c = 0; c < consumers; ++c) {
      const uint64_t now = perConsumer[c].load();
      inRound[c] = now - before[c];
      before[c] = now;
    }
    std::printf("{\"scenario\":\"wake\",\"round\":%d,\"perConsumer\":%s}\n", round,
                Counts(inRound).c_str());
    int working = 0;
    for (uint64_t count : inRound) working += count > 0 ? 1 : 0;
    if (working < 2) {
      Fail("wake: one consumer drained round " + std::to_string(round) +
           " while the others slept " + Counts(inRound));
    }
  }
  for (int c = 0; c < consumers; ++c) {
    if (before[c] == 0) Fail("wake: consumer " + std::to_string(c) + " never worked");
  }
  stopping.store(true, std::memory_order_release);
  wake.NotifyAll();
  for (std::thread& t : threads) t.join();
  const uint64_t total = perRound * static_cast<uint64_t>(rounds);
  if (sum.load() != total * (total - 1) / 2) Fail("wake: checked sum differs");
}

// PollWindow against the haltpoll rule it follows: gaps the window misses but kMax covers double it
// (from kGrowStart, capped at kMax), covered gaps keep it, longer gaps halve it down to zero.
void PollWindowRule() {
  using std::chrono::microseconds;
  PollWindow window;
  auto expect = [&](PollWindow::Duration want, const char* step) {
    if (window.Current() != want) {
      Fail(std::string("poll window after ") + step + ": " +
           std::to_string(window.Current().count()) + " ns, expected " +
           std::to_string(want.count()));
    }
  };
  expect(microseconds(0), "start");
  window.Observe(microseconds(1000));
  expect(microseconds(0), "a long gap at zero");
  window.Observe(microseconds(30));
  expect(PollWindow::kGrowStart, "a short gap at zero");
  window.Observe(microseconds(30));
  expect(PollWindow::kGrowStart * 2, "a second short gap");
  window.Observe(microseconds(30));
  expect(PollWindow::kGrowStart * 4, "a third short gap");
  window.Observe(microseconds(10));
  expect(PollWindow::kGrowStart * 4, "a covered gap");
  window.Observe(microseconds(30));
  expect(PollWindow::kGrowStart * 8, "a fourth short gap");
  for (int i = 0; i < 10; ++i) window.Observe(PollWindow::kMax);
  expect(PollWindow::kMax, "gaps of kMax");
  window.Observe(PollWindow::kMax * 2);
  expect(PollWindow::kMax / 2, "a gap past kMax");
  for (int i = 0; i < 8; ++i) window.Observe(std::chrono::seconds(1));
  expect(microseconds(0), "an idle model");
  PollWindow off(PollWindow::Duration::zero());
  for (int i = 0; i < 4; ++i) off.Observe(microseconds(20));
  if (off.Current() != PollWindow::Duration::zero()) Fail("a zero-ceiling window grew");
  std::printf("{\"scenario\":\"poll-window\"}\n");
}

// UsableCpusFrom against the kernel's cgroup file formats (cgroup v2 cpu.max, v1 cfs quota/period).
void UsableCpusRule() {
  struct Case {
    int affinity;
    const char* cpuMax;
    const char* v1Quota;
    const char* v1Period;
    double expected;
  };
  const Case cases[] = {
      {8, "", "", "", 8},                 // no cgroup files
      {8, "max 100000", "", "", 8},       // v2, no limit
      {8, "150000 100000", "", "", 1.5},  // v2, a 1.5 CPU limit
      {2, "400000 100000", "", "", 2},    // a limit above the affinity
      {8, "", "-1", "100000", 8},         // v1, no limit
      {8, "", "50000", "100000", 0.5},    // v1, half a CPU
      {1, "max 100000", "", "", 1},       // taskset -c 0
      {0, "garbage", "", "", 1},          // unreadable: at least one CPU
  };
  for (const Case& c : cases) {
    const double got = proton::UsableCpusFrom(c.affinity, c.cpuMax, c.v1Quota, c.v1Period);
    if (got != c.expected) {
      Fail(std::string("UsableCpusFrom(") + std::to_string(c.affinity) + ", '" + c.cpuMax + "', '" +
           c.v1Quota + "') = " + std::to_string(got) + ", expected " + std::to_string(c.expected));
    }
  }
  std::printf("{\"scenario\":\"usable-cpus\"}\n");
}

}  // namespace

int main() {
  PollWindowRule();
  UsableCpusRule();
  HammerQueue(3, 3, 200000);
  WakeRounds(3, 5, 4000);
  std::printf("{\"scenario\":\"done\"}\n");
  return 0;
}
