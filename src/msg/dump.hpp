// A human-readable rendering of a message, one field per line (logs, cl_log_message, hbmsg).
#pragma once

#include <string>
#include <vector>

#include "msg/message.hpp"

namespace hb {

// Lines like `st = "active"`, `(binary) srcuuid = 15164ac2...`, nested messages indented.
std::vector<std::string> dump_lines(const Message& msg);
std::string dump(const Message& msg);

// Printable bytes as they are, others as \xNN: for logging untrusted values on one line.
std::string escape_bytes(std::string_view bytes);

// Lowercase hex, two digits a byte (binary fields in dumps, digests in signatures).
std::string hex_encode(std::string_view bytes);

}  // namespace hb
