// Moved to the public headers: the C++ client API returns it.
#pragma once
#include "heartbeat/result.hpp"
