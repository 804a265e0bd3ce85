#include "core/fragments.hpp"

#include "msg/limits.hpp"

namespace hb::core {

namespace {

// A count or index of a fragment: decimal, never negative.
std::optional<std::size_t> number(const Message& m, std::string_view name) {
    auto v = m.get_int(name);
    if (!v || *v < 0) return std::nullopt;
    return static_cast<std::size_t>(*v);
}

}  // namespace

std::vector<Message> make_fragments(std::string_view encoded, std::optional<std::string_view> dest, std::size_t piece) {
    std::vector<Message> out;
    const std::size_t count = (encoded.size() + piece - 1) / piece;
    for (std::size_t i = 0; i < count; ++i) {
        Message f;
        f.add("t", kFragmentType);
        if (dest) f.add("dest", *dest);
        f.add("fragno", std::to_string(i));
        f.add("nfrags", std::to_string(count));
        f.add_binary("fragdata", encoded.substr(i * piece, piece));
        out.push_back(std::move(f));
    }
    return out;
}

std::optional<Result<std::string>> Reassembly::add(const Message& fragment) {
    const auto index = number(fragment, "fragno");
    const auto count = number(fragment, "nfrags");
    const auto data = fragment.get_binary("fragdata");
    if (!index || !count || !data || *count == 0 || *index >= *count) {
        clear();
        return Result<std::string>(make_error("a malformed fragment"));
    }
    if (*index == 0) {
        // A message in progress whose rest never came was lost with the sequence numbers the
        // window gave up (counted there): this one starts over.
        clear();
        expected_ = *count;
    } else if (!in_progress() || *index != next_ || *count != expected_) {
        clear();
        return Result<std::string>(make_error("fragment " + std::to_string(*index) + " of " + std::to_string(*count) +
                                              " out of order"));
    }
    data_ += *data;
    if (data_.size() > kMaxWireBytes) {
        clear();
        return Result<std::string>(make_error("fragments add up to more than MAXMSG"));
    }
    next_ = *index + 1;
    if (next_ < expected_) return std::nullopt;
    std::string whole = std::move(data_);
    clear();
    return Result<std::string>(std::move(whole));
}

void Reassembly::clear() {
    data_.clear();
    next_ = 0;
    expected_ = 0;
}

}  // namespace hb::core
