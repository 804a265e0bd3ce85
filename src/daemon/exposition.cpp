#include "daemon/exposition.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace hb::daemon {

namespace {

// In HELP text a backslash and a newline are escaped; in a label value a double quote too.
std::string escaped(std::string_view s, bool quotes) {
    std::string out;
    for (char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quotes) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    char buf[40];
    // Whole numbers (counts) exactly, up to 2^53; others in the fewest digits that read back.
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return buf;
    }
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

const char* type_name(Exposition::Type t) {
    switch (t) {
        case Exposition::Type::counter: return "counter";
        case Exposition::Type::gauge: return "gauge";
        case Exposition::Type::histogram: return "histogram";
    }
    return "untyped";
}

}  // namespace

void Exposition::family(std::string_view name, std::string_view help, Type type) {
    name_ = name;
    text_ += "# HELP " + name_ + " " + escaped(help, false) + "\n# TYPE " + name_ + " " + type_name(type) + "\n";
}

void Exposition::line(std::string_view name, const Labels& labels, double value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            text_ += (i ? "," : "") + labels[i].first + "=\"" + escaped(labels[i].second, true) + "\"";
        }
        text_ += '}';
    }
    text_ += ' ' + number(value) + '\n';
}

void Exposition::histogram(const Labels& labels, const std::vector<std::pair<double, std::uint64_t>>& cumulative,
                           std::uint64_t count, double sum) {
    const std::string bucket = name_ + "_bucket";
    for (const auto& [bound, n] : cumulative) {
        Labels with = labels;
        with.emplace_back("le", number(bound));
        line(bucket, with, static_cast<double>(n));
    }
    Labels inf = labels;
    inf.emplace_back("le", "+Inf");
    line(bucket, inf, static_cast<double>(count));
    line(name_ + "_sum", labels, sum);
    line(name_ + "_count", labels, static_cast<double>(count));
}

}  // namespace hb::daemon
