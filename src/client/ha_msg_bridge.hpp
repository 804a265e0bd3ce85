// Between the C ha_msg handles of ha_msg.h and hb::Message, for the llc_ops shim: it hands
// messages to C callers and takes theirs.
#pragma once

#include "heartbeat/ha_msg.h"
#include "heartbeat/message.hpp"

namespace hb::client {

// A new top-level handle owning `msg`; the caller frees it with ha_msg_del.
ha_msg* to_c_message(Message msg);
// The message behind a live handle; nullptr for a stray or freed pointer.
const Message* from_c_message(const ha_msg* m);

}  // namespace hb::client
