// Moved to the public headers: the C++ client API hands these types out.
#pragma once
#include "heartbeat/message.hpp"
