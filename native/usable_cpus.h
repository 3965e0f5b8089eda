// How many CPUs this process can keep busy at once: the CPUs its affinity mask allows, lowered by
// a cgroup CPU quota (a container's CPU limit). A model thread polls only when there are two or
// more: with one, its poll holds the CPU the JS thread needs to submit the job it waits for.
#pragma once

#include <string_view>

namespace proton {

// Read from the kernel once per call (sched_getaffinity and the cgroup files).
double UsableCpus();

// The same from its inputs: `affinity` CPUs; cgroup v2's cpu.max text ("max 100000" or
// "50000 100000"), or cgroup v1's cfs_quota_us ("-1" = none) and cfs_period_us texts. An empty or
// unreadable quota means no limit.
double UsableCpusFrom(int affinity, std::string_view cpuMax, std::string_view v1Quota,
                      std::string_view v1Period);

}  // namespace proton
