// The ha_msg data model: an ordered list of typed, named fields, with value semantics.
// Names may repeat; lookups return the first match and "set" replaces the first match in place,
// as heartbeat does (the order is signed, so it must never change behind the caller's back).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "field_type.hpp"

namespace hb {

class Message;

struct Field {
    std::string name;
    FieldType type = FieldType::string;
    std::string bytes;                 // string, binary and compress values
    std::vector<std::string> list;     // list values
    std::unique_ptr<Message> child;    // structure and uncompress values; boxed so it never moves

    Field() = default;
    Field(const Field& other);
    Field& operator=(const Field& other);
    Field(Field&&) noexcept = default;
    Field& operator=(Field&&) noexcept = default;
    ~Field();

    friend bool operator==(const Field& a, const Field& b);
};

// Iterates a message's fields as `const Field&` (the storage holds them by pointer).
class FieldRange {
public:
    using Storage = std::vector<std::unique_ptr<Field>>;
    class iterator {
    public:
        explicit iterator(Storage::const_iterator it) : it_(it) {}
        const Field& operator*() const { return **it_; }
        const Field* operator->() const { return it_->get(); }
        iterator& operator++() {
            ++it_;
            return *this;
        }
        bool operator==(const iterator& other) const { return it_ == other.it_; }

    private:
        Storage::const_iterator it_;
    };
    explicit FieldRange(const Storage& s) : s_(s) {}
    iterator begin() const { return iterator(s_.begin()); }
    iterator end() const { return iterator(s_.end()); }

private:
    const Storage& s_;
};

// Fields live on the heap one by one so that a pointer to a value (what the C API hands out)
// stays valid while other fields are added or removed, as it does in heartbeat.
class Message {
public:
    Message() = default;
    Message(const Message& other);
    Message& operator=(const Message& other);
    Message(Message&&) noexcept = default;
    Message& operator=(Message&&) noexcept = default;
    ~Message() = default;

    // Adding fails (returns false) on an invalid name, a list item that is empty, a nesting deeper
    // than kMaxDepth or more than kMaxFields fields; the message is then unchanged.
    bool add(std::string_view name, std::string_view value);
    bool add_binary(std::string_view name, std::string_view bytes);
    bool add_struct(std::string_view name, Message child);
    bool add_uncompress(std::string_view name, Message child);
    bool add_compress(std::string_view name, std::string_view compressed);
    // Appends to the first list field of that name, or adds a new list field. Fails if a field of
    // that name exists with another type (heartbeat's rule).
    bool add_list_item(std::string_view name, std::string_view item);
    bool add_list(std::string_view name, std::vector<std::string> items);
    bool add_int(std::string_view name, long value);   // decimal, as ha_msg_add_int
    bool add_field(Field field);

    // Replace the value (and type) of the first field of that name in place, or append.
    bool set(std::string_view name, std::string_view value);
    bool set_binary(std::string_view name, std::string_view bytes);
    bool set_struct(std::string_view name, Message child);
    bool set_int(std::string_view name, long value);
    bool set_field(Field field);

    // Typed lookups of the first field of that name; nullopt/nullptr when absent or of another type.
    std::optional<std::string_view> get(std::string_view name) const;
    std::optional<std::string_view> get_binary(std::string_view name) const;
    const Message* get_struct(std::string_view name) const;
    Message* get_struct(std::string_view name);
    const std::vector<std::string>* get_list(std::string_view name) const;
    std::optional<long> get_int(std::string_view name) const;          // decimal
    std::optional<std::uint64_t> get_hex(std::string_view name) const;  // heartbeat's hex numbers
    std::optional<FieldType> type_of(std::string_view name) const;
    const Field* find(std::string_view name) const;
    Field* find(std::string_view name);
    bool has(std::string_view name) const { return find(name) != nullptr; }

    bool remove(std::string_view name);  // the first match; false when absent
    void remove_at(std::size_t index);

    std::size_t size() const { return fields_.size(); }
    void reserve(std::size_t fields) { fields_.reserve(fields); }
    bool empty() const { return fields_.empty(); }
    FieldRange fields() const { return FieldRange(fields_); }
    const Field& operator[](std::size_t i) const { return *fields_[i]; }
    Field& operator[](std::size_t i) { return *fields_[i]; }

    // Nesting depth: 0 for a message without struct fields.
    int depth() const;

    friend bool operator==(const Message& a, const Message& b);

private:
    std::vector<std::unique_ptr<Field>> fields_;
};

// A field name heartbeat can carry in both encodings: non-empty, no '=', '\n', NUL, not starting
// with ">>>\n" or a "(d)" type marker.
bool valid_field_name(std::string_view name);

}  // namespace hb
