// Configuration problems, each tied to a file and line, with what is wrong and what would be right.
#pragma once

#include <string>
#include <vector>

namespace hb::config {

struct Diagnostic {
    std::string file;
    int line = 0;  // 0: the file as a whole
    std::string message;
    bool error = true;  // false: a warning
};

class Diagnostics {
public:
    void error(const std::string& file, int line, std::string message) {
        items_.push_back({file, line, std::move(message), true});
    }
    void warning(const std::string& file, int line, std::string message) {
        items_.push_back({file, line, std::move(message), false});
    }
    bool has_errors() const {
        for (const auto& d : items_) {
            if (d.error) return true;
        }
        return false;
    }
    const std::vector<Diagnostic>& items() const { return items_; }
    void append(const Diagnostics& other) { items_.insert(items_.end(), other.items_.begin(), other.items_.end()); }

private:
    std::vector<Diagnostic> items_;
};

// "ha.cf:7: error: ..." (or "warning:"): what the daemon and hbconfig print.
std::string format(const Diagnostic& d);

}  // namespace hb::config
