// hbbench's output: a table of one run's figures, and the side-by-side markdown of several runs
// (bench/compare.sh writes it into docs/benchmarks.md), with the ratios and the targets.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hbbench {

// A run: {"system": ..., "version": ..., "results": {"S1": ..., ...}}.
std::string table(const nlohmann::json& run);
// Runs in column order; the first is ours, ratios are taken against it.
std::string markdown(const std::vector<nlohmann::json>& runs);

}  // namespace hbbench
