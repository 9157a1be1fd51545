#pragma once
// The machine's network interfaces with their addresses, for the multicast interface picker.
// A local query (getifaddrs), not network I/O.
#include <string>
#include <vector>

namespace sockscope::ui {

/// "eth0 (192.168.1.5)", "lo (127.0.0.1)"... values the engine accepts are the names and the
/// IPv4 addresses; entries are "name" and "address" strings, names first. Empty where unsupported.
std::vector<std::string> listNetworkInterfaces();

}  // namespace sockscope::ui
