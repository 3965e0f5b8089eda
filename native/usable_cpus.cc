#include "usable_cpus.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace proton {

namespace {

// A non-negative integer at the start of `text`, or -1 when there is none ("max", "-1", garbage).
long long LeadingCount(std::string_view text) {
  long long value = -1;
  const std::from_chars_result parsed =
      std::from_chars(text.data(), text.data() + text.size(), value);
  return parsed.ec == std::errc() && value >= 0 ? value : -1;
}

double QuotaCpus(long long quota, long long period) {
  return quota > 0 && period > 0 ? static_cast<double>(quota) / static_cast<double>(period) : 0;
}

std::string ReadSmallFile(const char* path) {
  std::ifstream file(path);
  std::string text;
  std::getline(file, text);
  return text;
}

}  // namespace

double UsableCpusFrom(int affinity, std::string_view cpuMax, std::string_view v1Quota,
                      std::string_view v1Period) {
  double cpus = std::max(affinity, 1);
  double quota = 0;
  if (!cpuMax.empty()) {
    const size_t space = cpuMax.find(' ');
    if (space != std::string_view::npos) {
      quota =
          QuotaCpus(LeadingCount(cpuMax.substr(0, space)), LeadingCount(cpuMax.substr(space + 1)));
    }
  } else {
    quota = QuotaCpus(LeadingCount(v1Quota), LeadingCount(v1Period));
  }
  return quota > 0 ? std::min(cpus, quota) : cpus;
}

double UsableCpus() {
  int affinity = static_cast<int>(std::thread::hardware_concurrency());
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) affinity = CPU_COUNT(&set);
#endif
  return UsableCpusFrom(affinity, ReadSmallFile("/sys/fs/cgroup/cpu.max"),
                        ReadSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                        ReadSmallFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
}

}  // namespace proton
