// sockscope: the desktop app, or with --headless the headless runner, over one engine.
#include <cstdio>

int main() {
    std::puts("sockscope " SOCKSCOPE_VERSION);
    return 0;
}
