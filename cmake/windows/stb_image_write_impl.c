/* Debian's libstb carries stb_image_write's implementation; mingw has no libstb, so one unit here. */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
