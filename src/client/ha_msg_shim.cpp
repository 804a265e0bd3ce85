// The C ha_msg API (include/heartbeat/ha_msg.h) over hb::Message. No logic of its own beyond
// argument checks: each call converts, calls the C++ method and refreshes the public arrays that
// C clients read directly.
#include "heartbeat/ha_msg.h"

#include <syslog.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "client/ha_msg_bridge.hpp"
#include "client/live_handles.hpp"
#include "msg/dump.hpp"
#include "msg/netstring_codec.hpp"
#include "msg/text_codec.hpp"
#include "msg/wire_format.hpp"

namespace {

struct View;

// What a struct ha_msg* points to. Standard layout, so the pointer converts both ways.
struct Shell {
    ha_msg pub;
    View* view;
};

// Every live handle, so that a stray or freed pointer is refused instead of followed.
hb::client::LiveHandles<ha_msg>& registry() {
    static hb::client::LiveHandles<ha_msg> r;
    return r;
}

// The arrays behind pub, and the shells of nested messages (so cl_get_struct can hand out a
// pointer that edits the parent in place, as heartbeat's does).
struct View {
    Shell shell{};
    std::unique_ptr<hb::Message> owned;  // set for a top-level message
    hb::Message* msg = nullptr;
    std::vector<char*> names;
    std::vector<size_t> nlens;
    std::vector<void*> values;
    std::vector<size_t> vlens;
    std::vector<int> types;
    std::map<const hb::Message*, std::unique_ptr<View>> children;
    std::map<const hb::Field*, std::vector<char*>> lists;

    View() { registry().add(&shell.pub); }
    ~View() { registry().remove(&shell.pub); }
    View(const View&) = delete;
    View& operator=(const View&) = delete;

    void refresh();
};

View* make_view(hb::Message* msg, std::unique_ptr<hb::Message> owned) {
    auto* v = new View;
    v->owned = std::move(owned);
    v->msg = msg;
    v->shell.view = v;
    v->refresh();
    return v;
}

void View::refresh() {
    const std::size_t n = msg->size();
    names.assign(n, nullptr);
    nlens.assign(n, 0);
    values.assign(n, nullptr);
    vlens.assign(n, 0);
    types.assign(n, 0);
    std::map<const hb::Message*, std::unique_ptr<View>> kept;
    lists.clear();
    for (std::size_t i = 0; i < n; ++i) {
        hb::Field& f = (*msg)[i];
        names[i] = f.name.data();
        nlens[i] = f.name.size();
        types[i] = static_cast<int>(f.type);
        switch (f.type) {
            case hb::FieldType::string:
            case hb::FieldType::binary:
            case hb::FieldType::compress:
                values[i] = f.bytes.data();
                vlens[i] = f.bytes.size();
                break;
            case hb::FieldType::list: {
                auto& ptrs = lists[&f];
                for (auto& item : f.list) ptrs.push_back(item.data());
                ptrs.push_back(nullptr);
                values[i] = ptrs.data();
                vlens[i] = f.list.size();
                break;
            }
            case hb::FieldType::structure:
            case hb::FieldType::uncompress: {
                auto it = children.find(f.child.get());
                std::unique_ptr<View> child =
                    it != children.end() ? std::move(it->second)
                                         : std::unique_ptr<View>(make_view(f.child.get(), nullptr));
                child->refresh();
                values[i] = &child->shell.pub;
                vlens[i] = sizeof(ha_msg);
                kept[f.child.get()] = std::move(child);
                break;
            }
        }
    }
    children = std::move(kept);  // views of removed children die here, and their handles with them
    shell.pub.nfields = static_cast<int>(n);
    shell.pub.nalloc = static_cast<int>(names.capacity());
    shell.pub.names = names.data();
    shell.pub.nlens = nlens.data();
    shell.pub.values = values.data();
    shell.pub.vlens = vlens.data();
    shell.pub.types = types.data();
}

View* view_of(const ha_msg* m) {
    if (!m || !registry().contains(m)) return nullptr;
    return reinterpret_cast<const Shell*>(m)->view;
}

ha_msg* wrap(hb::Message msg) {
    auto owned = std::make_unique<hb::Message>(std::move(msg));
    hb::Message* raw = owned.get();
    return &make_view(raw, std::move(owned))->shell.pub;
}

// Runs an edit on a live message and refreshes its arrays; HA_FAIL for a bad handle or a refusal.
template <class Edit>
int edit(ha_msg* m, Edit&& e) {
    View* v = view_of(m);
    if (!v) return HA_FAIL;
    bool ok = e(*v->msg);
    v->refresh();
    return ok ? HA_OK : HA_FAIL;
}


// A malloc'ed copy with a NUL after it (C callers free() it; text is then a C string).
char* malloc_copy(std::string_view bytes) {
    char* out = static_cast<char*>(std::malloc(bytes.size() + 1));
    if (!out) return nullptr;
    std::memcpy(out, bytes.data(), bytes.size());
    out[bytes.size()] = '\0';
    return out;
}

hb::WireFormat g_default_format = hb::WireFormat::text;

// heartbeat stores a string added through the C API with its 0x13 bytes turned into newlines (the
// text encoding's escape), so that a value read from text and added again is the same.
std::string as_heartbeat_string(std::string_view value) {
    std::string out(value);
    std::replace(out.begin(), out.end(), hb::kTextNewlineSymbol, '\n');
    return out;
}

}  // namespace

namespace hb::client {

ha_msg* to_c_message(Message msg) { return wrap(std::move(msg)); }

const Message* from_c_message(const ha_msg* m) {
    View* v = view_of(m);
    return v ? v->msg : nullptr;
}

}  // namespace hb::client

extern "C" {

ha_msg* ha_msg_new(int) { return wrap(hb::Message()); }

void ha_msg_del(ha_msg* msg) {
    View* v = view_of(msg);
    if (!v || !v->owned) return;  // a nested message belongs to its parent
    delete v;
}

ha_msg* ha_msg_copy(const ha_msg* msg) {
    View* v = view_of(msg);
    return v ? wrap(*v->msg) : nullptr;
}

int ha_msg_add(ha_msg* msg, const char* name, const char* value) {
    if (!name || !value) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add(name, as_heartbeat_string(value)); });
}

int ha_msg_nadd(ha_msg* msg, const char* name, int namelen, const char* value, int vallen) {
    return ha_msg_nadd_type(msg, name, namelen, value, vallen, FT_STRING);
}

int ha_msg_nadd_type(ha_msg* msg, const char* name, int namelen, const char* value, int vallen, int type) {
    if (!name || !value || namelen <= 0 || vallen < 0) return HA_FAIL;
    std::string_view n(name, static_cast<size_t>(namelen)), v(value, static_cast<size_t>(vallen));
    return edit(msg, [&](hb::Message& m) {
        switch (type) {
            case FT_STRING: return m.add(n, as_heartbeat_string(v));
            case FT_BINARY: return m.add_binary(n, v);
            case FT_COMPRESS: return m.add_compress(n, v);
            default: return false;  // structs and lists have their own calls
        }
    });
}

int ha_msg_addbin(ha_msg* msg, const char* name, const void* value, size_t vallen) {
    if (!name || (!value && vallen)) return HA_FAIL;
    std::string_view v(static_cast<const char*>(value), value ? vallen : 0);
    return edit(msg, [&](hb::Message& m) { return m.add_binary(name, v); });
}

int ha_msg_addstruct(ha_msg* msg, const char* name, const void* child) {
    View* c = view_of(static_cast<const ha_msg*>(child));
    if (!name || !c) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add_struct(name, *c->msg); });
}

int ha_msg_addstruct_compress(ha_msg* msg, const char* name, const void* child) {
    View* c = view_of(static_cast<const ha_msg*>(child));
    if (!name || !c) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add_uncompress(name, *c->msg); });
}

int ha_msg_add_int(ha_msg* msg, const char* name, int value) {
    if (!name) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add_int(name, value); });
}

int ha_msg_add_ul(ha_msg* msg, const char* name, unsigned long value) {
    if (!name) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add(name, std::to_string(value)); });
}

int cl_msg_list_add_string(ha_msg* msg, const char* name, const char* value) {
    if (!name || !value) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.add_list_item(name, value); });
}

int cl_msg_modstring(ha_msg* msg, const char* name, const char* value) {
    if (!name || !value) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.set(name, value); });
}

int cl_msg_modbin(ha_msg* msg, const char* name, const void* value, size_t vlen) {
    if (!name || (!value && vlen)) return HA_FAIL;
    std::string_view v(static_cast<const char*>(value), value ? vlen : 0);
    return edit(msg, [&](hb::Message& m) { return m.set_binary(name, v); });
}

int cl_msg_modstruct(ha_msg* msg, const char* name, const ha_msg* value) {
    View* c = view_of(value);
    if (!name || !c) return HA_FAIL;
    hb::Message copy = *c->msg;  // copied first: value may be a child of msg itself
    return edit(msg, [&](hb::Message& m) { return m.set_struct(name, std::move(copy)); });
}

int ha_msg_mod_int(ha_msg* msg, const char* name, int value) {
    if (!name) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.set_int(name, value); });
}

int ha_msg_mod_ul(ha_msg* msg, const char* name, unsigned long value) {
    if (!name) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.set(name, std::to_string(value)); });
}

int cl_msg_remove(ha_msg* msg, const char* name) {
    if (!name) return HA_FAIL;
    return edit(msg, [&](hb::Message& m) { return m.remove(name); });
}

int cl_msg_remove_offset(ha_msg* msg, int offset) {
    return edit(msg, [&](hb::Message& m) {
        if (offset < 0 || static_cast<size_t>(offset) >= m.size()) return false;
        m.remove_at(static_cast<size_t>(offset));
        return true;
    });
}

const char* cl_get_string(const ha_msg* msg, const char* name) {
    View* v = view_of(msg);
    if (!v || !name) return nullptr;
    auto value = v->msg->get(name);
    return value ? value->data() : nullptr;  // a std::string's bytes: NUL-terminated
}

const void* cl_get_binary(const ha_msg* msg, const char* name, size_t* vallen) {
    View* v = view_of(msg);
    if (!v || !name) return nullptr;
    auto value = v->msg->get_binary(name);
    if (!value) return nullptr;
    if (vallen) *vallen = value->size();
    return value->data();
}

int cl_get_type(const ha_msg* msg, const char* name) {
    View* v = view_of(msg);
    if (!v || !name) return -1;
    auto type = v->msg->type_of(name);
    return type ? static_cast<int>(*type) : -1;
}

ha_msg* cl_get_struct(ha_msg* msg, const char* name) {
    View* v = view_of(msg);
    if (!v || !name) return nullptr;
    const hb::Message* child = v->msg->get_struct(name);
    if (!child) return nullptr;
    auto it = v->children.find(child);
    return it == v->children.end() ? nullptr : &it->second->shell.pub;
}

int ha_msg_value_int(const ha_msg* msg, const char* name, int* value) {
    View* v = view_of(msg);
    if (!v || !name || !value) return HA_FAIL;
    auto n = v->msg->get_int(name);
    if (!n || *n < INT_MIN || *n > INT_MAX) return HA_FAIL;
    *value = static_cast<int>(*n);
    return HA_OK;
}

int ha_msg_value_ul(const ha_msg* msg, const char* name, unsigned long* value) {
    View* v = view_of(msg);
    if (!v || !name || !value) return HA_FAIL;
    auto n = v->msg->get_int(name);
    if (!n || *n < 0) return HA_FAIL;
    *value = static_cast<unsigned long>(*n);
    return HA_OK;
}

int cl_msg_list_length(ha_msg* msg, const char* name) {
    View* v = view_of(msg);
    if (!v || !name) return -1;
    const auto* list = v->msg->get_list(name);
    return list ? static_cast<int>(list->size()) : -1;
}

void* cl_msg_list_nth_data(ha_msg* msg, const char* name, int n) {
    View* v = view_of(msg);
    if (!v || !name || n < 0) return nullptr;
    auto* list = const_cast<std::vector<std::string>*>(v->msg->get_list(name));
    if (!list || static_cast<size_t>(n) >= list->size()) return nullptr;
    return (*list)[static_cast<size_t>(n)].data();
}

char* msg2string(const ha_msg* m) {
    View* v = view_of(m);
    if (!v) return nullptr;
    auto text = hb::encode_text(*v->msg);
    return text ? malloc_copy(*text) : nullptr;
}

ha_msg* string2msg(const char* s, size_t length) {
    if (!s) return nullptr;
    auto msg = hb::decode_text(std::string_view(s, length));
    return msg ? wrap(std::move(msg).value()) : nullptr;
}

char* msg2wirefmt(ha_msg* m, size_t* len) {
    View* v = view_of(m);
    if (!v || !len) return nullptr;
    auto bytes = hb::encode_netstring(*v->msg);
    if (!bytes) return nullptr;
    *len = bytes->size();
    return malloc_copy(*bytes);
}

char* msg2wirefmt_noac(ha_msg* m, size_t* len) {
    View* v = view_of(m);
    if (!v || !len) return nullptr;
    hb::WireFormat format = hb::choose_format(*v->msg, g_default_format);
    auto bytes = hb::encode(*v->msg, format);
    if (!bytes) return nullptr;
    // The text form travels with its NUL, and heartbeat counts it.
    *len = bytes->size() + (format == hb::WireFormat::text ? 1 : 0);
    return malloc_copy(*bytes);
}

ha_msg* wirefmt2msg(const char* s, size_t length, int) {
    if (!s) return nullptr;
    auto msg = hb::decode(std::string_view(s, length));
    return msg ? wrap(std::move(msg).value()) : nullptr;
}

int must_use_netstring(const ha_msg* m) {
    View* v = view_of(m);
    return v && hb::must_use_netstring(*v->msg) ? 1 : 0;
}

int get_stringlen(const ha_msg* m) {
    View* v = view_of(m);
    if (!v) return 0;
    auto text = hb::encode_text(*v->msg);
    return text ? static_cast<int>(text->size() + 1) : 0;
}

int get_netstringlen(const ha_msg* m) {
    View* v = view_of(m);
    if (!v) return 0;
    auto bytes = hb::encode_netstring(*v->msg);
    return bytes ? static_cast<int>(bytes->size()) : 0;
}

void cl_set_msg_format(cl_msgfmt mfmt) {
    g_default_format = mfmt == MSGFMT_NETSTRING ? hb::WireFormat::netstring : hb::WireFormat::text;
}

void cl_log_message(int log_level, const ha_msg* m) {
    View* v = view_of(m);
    if (!v) {
        syslog(log_level, "MSG: No message to dump");
        return;
    }
    syslog(log_level, "MSG: Dumping message with %zu fields", v->msg->size());
    for (const auto& line : hb::dump_lines(*v->msg)) syslog(log_level, "MSG: %s", line.c_str());
}

void ha_msg_dump(const ha_msg* m, FILE* stream) {
    View* v = view_of(m);
    if (!v || !stream) return;
    std::fputs(hb::dump(*v->msg).c_str(), stream);
}

}  // extern "C"
