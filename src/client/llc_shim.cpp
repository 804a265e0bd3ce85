// heartbeat's C client API (include/heartbeat/hb_api.h) over hb::Cluster. No logic of its own:
// each call checks its handle and arguments, converts, calls the C++ method, and keeps what it
// hands out (strings, walks) alive until the next call of the same kind, as heartbeat's did.
#include "heartbeat/hb_api.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/ha_msg_bridge.hpp"
#include "client/live_handles.hpp"
#include "heartbeat/client.hpp"

namespace {

template <class F>
struct Callback {
    F fn = nullptr;
    void* data = nullptr;
};

// What an ll_cluster_t* points to. Standard layout: the pointer converts both ways.
struct Handle {
    ll_cluster_t pub{};
    std::unique_ptr<hb::Cluster> cluster;
    std::string error;
    // Callbacks may be set before sign-on, so they are kept here and handed to each Cluster.
    std::map<std::string, Callback<llc_msg_callback_t>> msg_callbacks;
    Callback<llc_nstatus_callback_t> node_callback;
    Callback<llc_ifstatus_callback_t> if_callback;
    Callback<llc_cstatus_callback_t> client_callback;
    // Walks and the strings returned by the calls that return const char*.
    std::vector<std::string> nodes, ifs;
    std::size_t next_node = 0, next_if = 0;
    std::string node_status, node_site, node_type, if_status, client_status, resources;
};

// Every live handle, so that a stray or freed pointer is refused instead of followed.
hb::client::LiveHandles<ll_cluster_t>& registry() {
    static hb::client::LiveHandles<ll_cluster_t> r;
    return r;
}

// What errmsg says for a handle that is not one of ours (there is nowhere else to put it).
thread_local std::string g_stray_error;

Handle* handle_of(ll_cluster_t* h) {
    if (!h || !registry().contains(h)) {
        g_stray_error = "not a handle from ll_cluster_new (or one already deleted)";
        return nullptr;
    }
    Handle* p = reinterpret_cast<Handle*>(h);
    p->error.clear();
    return p;
}

// The handle, if it is ours and signed on to a daemon that is still there.
Handle* signed_on(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p) return nullptr;
    if (!p->cluster) {
        p->error = "not signed on";
        return nullptr;
    }
    if (!p->cluster->connected()) {
        p->error = "the heartbeat daemon went away";
        return nullptr;
    }
    return p;
}

bool fail(Handle* p, std::string why) {
    p->error = std::move(why);
    return false;
}

int failed(Handle* p, std::string why) {
    p->error = std::move(why);
    return HA_FAIL;
}

// HA_OK for a success, HA_FAIL with the error kept for errmsg.
template <class T>
int status(Handle* p, const hb::Result<T>& r) {
    if (r) return HA_OK;
    p->error = r.error();
    return HA_FAIL;
}

// A string result kept in `slot` (valid until the next call of that kind), or NULL.
const char* keep(Handle* p, const hb::Result<std::string>& r, std::string& slot) {
    if (!r) {
        p->error = r.error();
        return nullptr;
    }
    slot = *r;
    return slot.c_str();
}

// A C message handed to a C callback for the duration of the call, as heartbeat does.
void with_c_message(const hb::Message& m, const Callback<llc_msg_callback_t>& cb) {
    ha_msg* c = hb::client::to_c_message(m);
    cb.fn(c, cb.data);
    ha_msg_del(c);
}

// Gives the Cluster the C callbacks registered so far.
void install(Handle* p) {
    hb::Cluster& c = *p->cluster;
    for (const auto& [type, cb] : p->msg_callbacks) {
        c.on_message(type, [cb](const hb::Message& m) { with_c_message(m, cb); });
    }
    if (auto cb = p->node_callback; cb.fn) {
        c.on_node_status([cb](const std::string& n, const std::string& st) { cb.fn(n.c_str(), st.c_str(), cb.data); });
    } else {
        c.on_node_status(nullptr);
    }
    if (auto cb = p->if_callback; cb.fn) {
        c.on_link_status([cb](const std::string& n, const std::string& l, const std::string& st) {
            cb.fn(n.c_str(), l.c_str(), st.c_str(), cb.data);
        });
    } else {
        c.on_link_status(nullptr);
    }
    if (auto cb = p->client_callback; cb.fn) {
        c.on_client_status([cb](const std::string& n, const std::string& id, const std::string& st) {
            cb.fn(n.c_str(), id.c_str(), st.c_str(), cb.data);
        });
    } else {
        c.on_client_status(nullptr);
    }
}

const hb::Message* c_message(Handle* p, const ha_msg* msg) {
    const hb::Message* m = hb::client::from_c_message(msg);
    if (!m) fail(p, "not a message from ha_msg_new (or one already deleted)");
    return m;
}

// ----- the operations ------------------------------------------------------------------------

int op_signon(ll_cluster_t* h, const char* clientid) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    if (p->cluster && p->cluster->connected()) return failed(p, "already signed on");
    auto c = hb::Cluster::signon(clientid ? clientid : "");
    if (!c) return failed(p, c.error());
    p->cluster = std::move(*c);
    install(p);
    return HA_OK;
}

int op_signoff(ll_cluster_t* h, int) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    if (!p->cluster) return failed(p, "not signed on");
    p->cluster.reset();  // signs off
    return HA_OK;
}

int op_delete(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    registry().remove(h);
    delete p;
    return HA_OK;
}

int op_set_msg_callback(ll_cluster_t* h, const char* msgtype, llc_msg_callback_t cb, void* data) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    if (!msgtype) return failed(p, "set_msg_callback: no message type");
    if (cb) {
        p->msg_callbacks[msgtype] = {cb, data};
    } else if (p->msg_callbacks.erase(msgtype) == 0) {
        return failed(p, std::string("no callback for message type ") + msgtype);
    }
    if (p->cluster) {
        p->cluster->on_message(msgtype, nullptr);
        install(p);
    }
    return HA_OK;
}

template <class F>
int set_status_callback(ll_cluster_t* h, Callback<F> Handle::*slot, F cb, void* data) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    p->*slot = {cb, data};
    if (p->cluster) install(p);
    return HA_OK;
}

int op_set_nstatus_callback(ll_cluster_t* h, llc_nstatus_callback_t cb, void* data) {
    return set_status_callback(h, &Handle::node_callback, cb, data);
}
int op_set_ifstatus_callback(ll_cluster_t* h, llc_ifstatus_callback_t cb, void* data) {
    return set_status_callback(h, &Handle::if_callback, cb, data);
}
int op_set_cstatus_callback(ll_cluster_t* h, llc_cstatus_callback_t cb, void* data) {
    return set_status_callback(h, &Handle::client_callback, cb, data);
}

int op_init_nodewalk(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    if (!p) return HA_FAIL;
    auto nodes = p->cluster->nodes();
    if (!nodes) return failed(p, nodes.error());
    p->nodes = std::move(*nodes);
    p->next_node = 0;
    return HA_OK;
}

const char* op_nextnode(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p || p->next_node >= p->nodes.size()) return nullptr;
    return p->nodes[p->next_node++].c_str();
}

int op_end_nodewalk(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    p->nodes.clear();
    p->next_node = 0;
    return HA_OK;
}

bool named(Handle* p, const char* what, const char* value) {
    if (value && *value) return true;
    return fail(p, std::string("no ") + what + " given");
}

const char* op_node_status(ll_cluster_t* h, const char* node) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return nullptr;
    return keep(p, p->cluster->node_status(node), p->node_status);
}

int op_node_weight(ll_cluster_t* h, const char* node) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return -1;
    auto w = p->cluster->node_weight(node);
    if (!w) {
        p->error = w.error();
        return -1;
    }
    return *w;
}

const char* op_node_site(ll_cluster_t* h, const char* node) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return nullptr;
    return keep(p, p->cluster->node_site(node), p->node_site);
}

const char* op_node_type(ll_cluster_t* h, const char* node) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return nullptr;
    return keep(p, p->cluster->node_type(node), p->node_type);
}

int op_num_nodes(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    if (!p) return -1;
    auto n = p->cluster->num_nodes();
    if (!n) {
        p->error = n.error();
        return -1;
    }
    return *n;
}

int op_init_ifwalk(ll_cluster_t* h, const char* node) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return HA_FAIL;
    auto ifs = p->cluster->links(node);
    if (!ifs) return failed(p, ifs.error());
    p->ifs = std::move(*ifs);
    p->next_if = 0;
    return HA_OK;
}

const char* op_nextif(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p || p->next_if >= p->ifs.size()) return nullptr;
    return p->ifs[p->next_if++].c_str();
}

int op_end_ifwalk(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    if (!p) return HA_FAIL;
    p->ifs.clear();
    p->next_if = 0;
    return HA_OK;
}

const char* op_if_status(ll_cluster_t* h, const char* node, const char* iface) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node) || !named(p, "interface", iface)) return nullptr;
    return keep(p, p->cluster->link_status(node, iface), p->if_status);
}

const char* op_client_status(ll_cluster_t* h, const char* host, const char* clientid, int timeout) {
    Handle* p = signed_on(h);
    if (!p) return nullptr;
    const char* id = clientid ? clientid : "";
    if (!host) {  // the asynchronous form: answers come to the cstatus callback
        auto sent = p->cluster->query_client_status(id);
        if (!sent) p->error = sent.error();
        return nullptr;
    }
    if (!named(p, "node", host)) return nullptr;
    return keep(p, p->cluster->client_status(host, id, timeout), p->client_status);
}

int op_get_uuid_by_name(ll_cluster_t* h, const char* node, cl_uuid_t* uuid) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "node", node)) return HA_FAIL;
    if (!uuid) return failed(p, "no place for the UUID given");
    auto u = p->cluster->uuid_of(node);
    if (!u) return failed(p, u.error());
    std::memcpy(uuid->uuid, u->data(), sizeof uuid->uuid);
    return HA_OK;
}

int op_get_name_by_uuid(ll_cluster_t* h, cl_uuid_t* uuid, char* name, size_t maxlen) {
    Handle* p = signed_on(h);
    if (!p) return HA_FAIL;
    if (!uuid || !name || maxlen == 0) return failed(p, "no UUID or no place for the name given");
    auto n = p->cluster->name_of(std::string(reinterpret_cast<const char*>(uuid->uuid), sizeof uuid->uuid));
    if (!n) return failed(p, n.error());
    if (n->size() >= maxlen) return failed(p, "the node name does not fit in " + std::to_string(maxlen) + " bytes");
    std::memcpy(name, n->c_str(), n->size() + 1);
    return HA_OK;
}

int op_sendclustermsg(ll_cluster_t* h, ha_msg* msg) {
    Handle* p = signed_on(h);
    const hb::Message* m = p ? c_message(p, msg) : nullptr;
    return m ? status(p, p->cluster->send_to_cluster(*m)) : HA_FAIL;
}

int op_sendnodemsg(ll_cluster_t* h, ha_msg* msg, const char* node) {
    Handle* p = signed_on(h);
    const hb::Message* m = p && named(p, "node", node) ? c_message(p, msg) : nullptr;
    return m ? status(p, p->cluster->send_to_node(*m, node)) : HA_FAIL;
}

int op_sendnodemsg_byuuid(ll_cluster_t* h, ha_msg* msg, cl_uuid_t* uuid) {
    Handle* p = signed_on(h);
    const hb::Message* m = p ? c_message(p, msg) : nullptr;
    if (!m) return HA_FAIL;
    if (!uuid) return failed(p, "no UUID given");
    return status(p, p->cluster->send_to_node_uuid(
                         *m, std::string(reinterpret_cast<const char*>(uuid->uuid), sizeof uuid->uuid)));
}

int op_send_ordered_clustermsg(ll_cluster_t* h, ha_msg* msg) {
    Handle* p = signed_on(h);
    const hb::Message* m = p ? c_message(p, msg) : nullptr;
    return m ? status(p, p->cluster->send_ordered_to_cluster(*m)) : HA_FAIL;
}

int op_send_ordered_nodemsg(ll_cluster_t* h, ha_msg* msg, const char* node) {
    Handle* p = signed_on(h);
    const hb::Message* m = p && named(p, "node", node) ? c_message(p, msg) : nullptr;
    return m ? status(p, p->cluster->send_ordered_to_node(*m, node)) : HA_FAIL;
}

int op_inputfd(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? p->cluster->fd() : -1;
}

IPC_CHANNEL* op_ipcchan(ll_cluster_t* h) {
    if (Handle* p = handle_of(h)) p->error = "no clplumbing IPC channel in this library: use inputfd()";
    return nullptr;
}

int op_msgready(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p && p->cluster->message_ready() ? 1 : 0;
}

int op_setmsgsignal(ll_cluster_t* h, int signo) {
    Handle* p = signed_on(h);
    return p ? status(p, p->cluster->set_message_signal(signo)) : HA_FAIL;
}

int op_rcvmsg(ll_cluster_t* h, int blocking) {
    Handle* p = signed_on(h);
    if (!p) return 0;
    auto r = p->cluster->dispatch(blocking ? -1 : 0);
    if (!r) {
        p->error = r.error();
        return 0;
    }
    return *r ? 1 : 0;
}

ha_msg* op_readmsg(ll_cluster_t* h, int blocking) {
    Handle* p = signed_on(h);
    if (!p) return nullptr;
    auto r = p->cluster->read(blocking ? -1 : 0);
    if (!r) {
        p->error = r.error();
        return nullptr;
    }
    return *r ? hb::client::to_c_message(std::move(**r)) : nullptr;
}

int op_setfmode(ll_cluster_t* h, unsigned mode) {
    Handle* p = signed_on(h);
    if (!p) return HA_FAIL;
    if (mode > LLC_FILTER_RAW) return failed(p, "unknown filter mode " + std::to_string(mode));
    return status(p, p->cluster->set_filter_mode(static_cast<hb::FilterMode>(mode)));
}

char* op_get_parameter(ll_cluster_t* h, const char* name) {
    Handle* p = signed_on(h);
    if (!p || !named(p, "parameter", name)) return nullptr;
    auto v = p->cluster->parameter(name);
    if (!v) {
        p->error = v.error();
        return nullptr;
    }
    if (!*v) {
        p->error = std::string("the daemon has no value for ") + name;
        return nullptr;
    }
    return strdup((*v)->c_str());
}

long op_get_deadtime(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? p->cluster->deadtime_ms() : -1;
}

long op_get_keepalive(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? p->cluster->keepalive_ms() : -1;
}

const char* op_get_mynodeid(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? p->cluster->node().c_str() : nullptr;
}

int op_get_logfacility(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? p->cluster->logfacility() : -1;
}

const char* op_get_resources(ll_cluster_t* h) {
    Handle* p = signed_on(h);
    return p ? keep(p, p->cluster->resources(), p->resources) : nullptr;
}

int op_chan_is_connected(ll_cluster_t* h) {
    Handle* p = handle_of(h);
    return p && p->cluster && p->cluster->connected() ? 1 : 0;
}

int op_set_sendq_len(ll_cluster_t* h, int length) {
    Handle* p = signed_on(h);
    return p ? status(p, p->cluster->set_send_queue_length(length)) : HA_FAIL;
}

int op_set_send_block_mode(ll_cluster_t* h, int blocking) {
    Handle* p = signed_on(h);
    return p ? status(p, p->cluster->set_send_blocking(blocking != 0)) : HA_FAIL;
}

const char* op_errmsg(ll_cluster_t* h) {
    if (!h || !registry().contains(h)) return g_stray_error.c_str();
    return reinterpret_cast<Handle*>(h)->error.c_str();  // not handle_of: it would clear the error
}

llc_ops g_ops = {
    op_signon, op_signoff, op_delete, op_set_msg_callback, op_set_nstatus_callback, op_set_ifstatus_callback,
    op_set_cstatus_callback, op_init_nodewalk, op_nextnode, op_end_nodewalk, op_node_status, op_node_weight,
    op_node_site, op_node_type, op_num_nodes, op_init_ifwalk, op_nextif, op_end_ifwalk, op_if_status,
    op_client_status, op_get_uuid_by_name, op_get_name_by_uuid, op_sendclustermsg, op_sendnodemsg,
    op_sendnodemsg_byuuid, op_send_ordered_clustermsg, op_send_ordered_nodemsg, op_inputfd, op_ipcchan,
    op_msgready, op_setmsgsignal, op_rcvmsg, op_readmsg, op_setfmode, op_get_parameter, op_get_deadtime,
    op_get_keepalive, op_get_mynodeid, op_get_logfacility, op_get_resources, op_chan_is_connected,
    op_set_sendq_len, op_set_send_block_mode, op_errmsg,
};

}  // namespace

extern "C" ll_cluster_t* ll_cluster_new(const char* llctype) {
    if (!llctype || std::strcmp(llctype, "heartbeat") != 0) return nullptr;
    auto* p = new Handle;
    p->pub.ll_cluster_private = p;
    p->pub.llc_ops = &g_ops;
    registry().add(&p->pub);
    return &p->pub;
}
