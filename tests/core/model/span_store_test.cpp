#include "core/model/span_store.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>

namespace sockscope {
namespace {

/// Against a std::deque doing the same: batches of any size (across the 1,024-entry blocks),
/// single pushes, front erasures of any size (whole blocks, to empty and beyond it again).
TEST(SpanStore, BehavesAsADequeOfSpans) {
    std::mt19937 rng(9);
    SpanStore store;
    std::deque<FrameSpan> model;
    std::uint32_t next = 0;
    for (int step = 0; step < 3000; ++step) {
        const unsigned what = rng() % 10;
        if (what < 5) {
            std::vector<FrameSpan> batch(rng() % (what == 0 ? 5000 : 700));
            for (auto& s : batch) s = {next++, static_cast<std::uint32_t>(rng() % 200)};
            store.append(batch);
            model.insert(model.end(), batch.begin(), batch.end());
        } else if (what < 6) {
            const FrameSpan s{next++, 7};
            store.push_back(s);
            model.push_back(s);
        } else if (what < 9 && !model.empty()) {
            const std::size_t n = what == 8 ? model.size() : rng() % (model.size() + 1);
            std::size_t bytes = 0;
            for (std::size_t i = 0; i < n; ++i) bytes += model[i].length;
            ASSERT_EQ(store.frontBytes(n), bytes);
            store.eraseFront(n);
            model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
        } else if (step % 500 == 0) {
            store.clear();
            model.clear();
        }
        ASSERT_EQ(store.size(), model.size());
        ASSERT_EQ(store.empty(), model.empty());
        for (std::size_t i : {std::size_t{0}, model.size() / 3, model.size() / 2, model.size() - 1}) {
            if (i < model.size()) {
                ASSERT_EQ(store[i], model[i]) << "step " << step << " index " << i;
            }
        }
    }
    for (std::size_t i = 0; i < model.size(); ++i) ASSERT_EQ(store[i], model[i]);
}

}  // namespace
}  // namespace sockscope
