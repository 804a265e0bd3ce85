#include "msg/message.hpp"

#include <algorithm>
#include <charconv>

#include "msg/limits.hpp"

namespace hb {

const char* field_type_name(FieldType t) {
    switch (t) {
        case FieldType::string: return "string";
        case FieldType::binary: return "binary";
        case FieldType::structure: return "struct";
        case FieldType::list: return "list";
        case FieldType::compress: return "compress";
        case FieldType::uncompress: return "uncompress";
    }
    return "unknown";
}

Field::Field(const Field& other)
    : name(other.name),
      type(other.type),
      bytes(other.bytes),
      list(other.list),
      child(other.child ? std::make_unique<Message>(*other.child) : nullptr) {}

Field& Field::operator=(const Field& other) {
    if (this != &other) {
        Field copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Field::~Field() = default;

bool operator==(const Field& a, const Field& b) {
    if (a.name != b.name || a.type != b.type || a.bytes != b.bytes || a.list != b.list) return false;
    if (!a.child || !b.child) return !a.child && !b.child;
    return *a.child == *b.child;
}

Message::Message(const Message& other) {
    fields_.reserve(other.fields_.size());
    for (const auto& f : other.fields_) fields_.push_back(std::make_unique<Field>(*f));
}

Message& Message::operator=(const Message& other) {
    if (this != &other) {
        Message copy(other);
        *this = std::move(copy);
    }
    return *this;
}

bool operator==(const Message& a, const Message& b) {
    if (a.fields_.size() != b.fields_.size()) return false;
    for (std::size_t i = 0; i < a.fields_.size(); ++i) {
        if (!(*a.fields_[i] == *b.fields_[i])) return false;
    }
    return true;
}

bool valid_field_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameBytes) return false;
    // A leading '(' is read as a type marker by heartbeat's text parser.
    if (name.front() == '(') return false;
    // One pass over the name; find_first_of would call memchr once per character (a tenth of a
    // receiving daemon's time in hbbench S2: every decoded field's name is checked).
    for (char c : name) {
        if (c == '=' || c == '\n' || c == '\0') return false;
    }
    return name.substr(0, 4) != ">>>\n";
}

namespace {

bool valid_field(const Field& f) {
    if (!valid_field_name(f.name)) return false;
    switch (f.type) {
        case FieldType::string:
            // Strings are C strings in every heartbeat API: an embedded NUL would be cut.
            return f.bytes.find('\0') == std::string::npos && f.list.empty() && !f.child;
        case FieldType::binary:
        case FieldType::compress:
            return f.list.empty() && !f.child;
        case FieldType::list:
            for (const auto& item : f.list) {
                if (item.empty()) return false;
            }
            return !f.list.empty() && f.bytes.empty() && !f.child;
        case FieldType::structure:
        case FieldType::uncompress:
            return f.child && f.child->depth() + 1 <= kMaxDepth && f.bytes.empty() && f.list.empty();
    }
    return false;
}

Field make_field(std::string_view name, FieldType type, std::string_view bytes) {
    Field f;
    f.name = std::string(name);
    f.type = type;
    f.bytes = std::string(bytes);
    return f;
}

Field make_nested(std::string_view name, FieldType type, Message child) {
    Field f;
    f.name = std::string(name);
    f.type = type;
    f.child = std::make_unique<Message>(std::move(child));
    return f;
}

}  // namespace

bool Message::add_field(Field field) {
    if (!valid_field(field) || fields_.size() >= kMaxFields) return false;
    fields_.push_back(std::make_unique<Field>(std::move(field)));
    return true;
}

bool Message::set_field(Field field) {
    if (!valid_field(field)) return false;
    if (Field* existing = find(field.name)) {
        *existing = std::move(field);
        return true;
    }
    return add_field(std::move(field));
}

bool Message::add(std::string_view name, std::string_view value) {
    return add_field(make_field(name, FieldType::string, value));
}

bool Message::add_binary(std::string_view name, std::string_view bytes) {
    return add_field(make_field(name, FieldType::binary, bytes));
}

bool Message::add_compress(std::string_view name, std::string_view compressed) {
    return add_field(make_field(name, FieldType::compress, compressed));
}

bool Message::add_struct(std::string_view name, Message child) {
    return add_field(make_nested(name, FieldType::structure, std::move(child)));
}

bool Message::add_uncompress(std::string_view name, Message child) {
    return add_field(make_nested(name, FieldType::uncompress, std::move(child)));
}

bool Message::add_list(std::string_view name, std::vector<std::string> items) {
    for (const auto& item : items) {
        if (item.empty()) return false;
    }
    if (Field* existing = find(name)) {
        if (existing->type != FieldType::list) return false;
        existing->list.insert(existing->list.end(), items.begin(), items.end());
        return true;
    }
    Field f;
    f.name = std::string(name);
    f.type = FieldType::list;
    f.list = std::move(items);
    return add_field(std::move(f));
}

bool Message::add_list_item(std::string_view name, std::string_view item) {
    return add_list(name, {std::string(item)});
}

bool Message::add_int(std::string_view name, long value) { return add(name, std::to_string(value)); }

namespace {
// The value and type of a field replaced in place (no new Field): the daemon stamps every message
// it sends with seven fields this way (hbbench S2).
void replace_bytes(Field& f, FieldType type, std::string_view bytes) {
    f.type = type;
    f.bytes.assign(bytes);
    f.list.clear();
    f.child.reset();
}
}  // namespace

bool Message::set(std::string_view name, std::string_view value) {
    Field* existing = find(name);
    if (!existing) return add(name, value);
    if (value.find('\0') != std::string_view::npos) return false;
    replace_bytes(*existing, FieldType::string, value);
    return true;
}

bool Message::set_binary(std::string_view name, std::string_view bytes) {
    Field* existing = find(name);
    if (!existing) return add_binary(name, bytes);
    replace_bytes(*existing, FieldType::binary, bytes);
    return true;
}

bool Message::set_struct(std::string_view name, Message child) {
    return set_field(make_nested(name, FieldType::structure, std::move(child)));
}

bool Message::set_int(std::string_view name, long value) { return set(name, std::to_string(value)); }

const Field* Message::find(std::string_view name) const {
    for (const auto& f : fields_) {
        if (f->name == name) return f.get();
    }
    return nullptr;
}

Field* Message::find(std::string_view name) {
    return const_cast<Field*>(static_cast<const Message*>(this)->find(name));
}

std::optional<std::string_view> Message::get(std::string_view name) const {
    const Field* f = find(name);
    if (!f || f->type != FieldType::string) return std::nullopt;
    return std::string_view(f->bytes);
}

std::optional<std::string_view> Message::get_binary(std::string_view name) const {
    const Field* f = find(name);
    if (!f || f->type != FieldType::binary) return std::nullopt;
    return std::string_view(f->bytes);
}

const Message* Message::get_struct(std::string_view name) const {
    const Field* f = find(name);
    if (!f || !is_nested(f->type)) return nullptr;
    return f->child.get();
}

Message* Message::get_struct(std::string_view name) {
    return const_cast<Message*>(static_cast<const Message*>(this)->get_struct(name));
}

const std::vector<std::string>* Message::get_list(std::string_view name) const {
    const Field* f = find(name);
    if (!f || f->type != FieldType::list) return nullptr;
    return &f->list;
}

namespace {
template <class T>
std::optional<T> parse_number(std::optional<std::string_view> text, int base) {
    if (!text || text->empty()) return std::nullopt;
    T value{};
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value, base);
    if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return value;
}
}  // namespace

std::optional<long> Message::get_int(std::string_view name) const {
    return parse_number<long>(get(name), 10);
}

std::optional<std::uint64_t> Message::get_hex(std::string_view name) const {
    return parse_number<std::uint64_t>(get(name), 16);
}

std::optional<FieldType> Message::type_of(std::string_view name) const {
    const Field* f = find(name);
    if (!f) return std::nullopt;
    return f->type;
}

bool Message::remove(std::string_view name) {
    for (auto it = fields_.begin(); it != fields_.end(); ++it) {
        if ((*it)->name == name) {
            fields_.erase(it);
            return true;
        }
    }
    return false;
}

void Message::remove_at(std::size_t index) {
    if (index < fields_.size()) fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(index));
}

int Message::depth() const {
    int deepest = 0;
    for (const auto& f : fields_) {
        if (f->child) deepest = std::max(deepest, f->child->depth() + 1);
    }
    return deepest;
}

}  // namespace hb
