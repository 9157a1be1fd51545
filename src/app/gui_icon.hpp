#pragma once
// The app icon (assets/sockscope.svg), drawn procedurally so the window icon needs no image file
// at run time: a scope screen with a packet pulse between two socket ends.
#include <cstdint>
#include <vector>

namespace sockscope {

/// RGBA pixels, size x size, row-major, top row first.
std::vector<std::uint8_t> makeAppIcon(int size);

}  // namespace sockscope
