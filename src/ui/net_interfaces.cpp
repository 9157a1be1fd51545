#include "ui/net_interfaces.hpp"

#include <algorithm>

#if defined(__unix__) || defined(__APPLE__)
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#endif

namespace sockscope::ui {

std::vector<std::string> listNetworkInterfaces() {
    std::vector<std::string> names, addresses;
#if defined(__unix__) || defined(__APPLE__)
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return {};
    for (ifaddrs* it = list; it; it = it->ifa_next) {
        if (!it->ifa_name) continue;
        if (std::find(names.begin(), names.end(), it->ifa_name) == names.end()) names.emplace_back(it->ifa_name);
        if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET) {
            char text[INET_ADDRSTRLEN] = {};
            const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
            if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text)) addresses.emplace_back(text);
        }
    }
    freeifaddrs(list);
#endif
    names.insert(names.end(), addresses.begin(), addresses.end());
    return names;
}

}  // namespace sockscope::ui
