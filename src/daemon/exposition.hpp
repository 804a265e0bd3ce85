// Prometheus's text exposition format (version 0.0.4), written by hand: a family's HELP and TYPE
// lines, then its samples with escaped labels. Small on purpose. prometheus-cpp's serializer
// would load the shared libstdc++ into a daemon that links it statically to stay small
// (hbbench S4), and its metric types would hold again what the core already counts. Checked by
// `promtool check metrics` and a real Prometheus (tests/integration/prometheus_scrape.sh).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hb::daemon {

class Exposition {
public:
    using Labels = std::vector<std::pair<std::string, std::string>>;
    enum class Type { counter, gauge, histogram };

    // Starts a family. Its samples follow, each only once, before the next family.
    void family(std::string_view name, std::string_view help, Type type);
    void sample(const Labels& labels, double value) { line(name_, labels, value); }
    // A histogram's samples: cumulative counts at each upper bound, then +Inf, sum and count.
    void histogram(const Labels& labels, const std::vector<std::pair<double, std::uint64_t>>& cumulative,
                   std::uint64_t count, double sum);

    const std::string& text() const { return text_; }

private:
    void line(std::string_view name, const Labels& labels, double value);

    std::string name_;
    std::string text_;
};

}  // namespace hb::daemon
