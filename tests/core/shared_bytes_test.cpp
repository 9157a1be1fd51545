#include "core/shared_bytes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "core/events.hpp"

namespace sockscope {
namespace {

TEST(SharedBytes, AdoptsAVectorWithoutCopyingAndComparesByValue) {
    Bytes bytes{1, 2, 3, 4};
    const std::uint8_t* storage = bytes.data();
    SharedBytes shared(std::move(bytes));
    EXPECT_EQ(shared.data(), storage) << "the vector's storage is adopted";
    EXPECT_EQ(shared.size(), 4u);
    EXPECT_EQ(shared, (Bytes{1, 2, 3, 4}));
    EXPECT_EQ(shared.toBytes(), (Bytes{1, 2, 3, 4}));
    EXPECT_TRUE(SharedBytes(Bytes{}).empty());
    EXPECT_EQ(SharedBytes(Bytes{}).blockId(), nullptr) << "an empty payload holds no block";
    // Events built from Bytes keep compiling and compare as before.
    const DataEvent event{1, 2, Direction::Rx, 0, {}, Bytes{'h', 'i'}};
    EXPECT_EQ(event.payload, (Bytes{'h', 'i'}));
    EXPECT_EQ(messageCount(event), 1u);
}

TEST(SharedBytes, SlicesShareTheBlockAndKeepItAlive) {
    SharedBytes slice;
    {
        const SharedBytes whole = SharedBytes::copyOf(std::string_view("hello world"));
        slice = whole.slice(6, 5);
        EXPECT_EQ(slice.blockId(), whole.blockId());
        EXPECT_EQ(whole.useCount(), 2u);
        EXPECT_EQ(slice.slice(1, 100), (Bytes{'o', 'r', 'l', 'd'})) << "clamped to the slice";
    }
    EXPECT_EQ(slice.useCount(), 1u);
    EXPECT_EQ(slice, (Bytes{'w', 'o', 'r', 'l', 'd'}));
    EXPECT_EQ(slice.wholeBlock().size(), 11u);
    SharedBytes moved = std::move(slice);
    EXPECT_TRUE(slice.empty());   // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(moved.useCount(), 1u);
}

TEST(ReadArena, ReadsLandInOneBlockAndABlockNobodyHoldsIsReused) {
    ReadArena arena(1024, 256);
    auto room = arena.room(0);
    ASSERT_EQ(room.size(), 256u);
    room[0] = 'a';
    const SharedBytes first = arena.commit(1);
    room = arena.room(0);
    room[0] = 'b';
    const SharedBytes second = arena.commit(1);
    EXPECT_EQ(first.blockId(), second.blockId()) << "consecutive reads share a block";
    EXPECT_EQ(second.data(), first.data() + 1);
    EXPECT_EQ(first, (Bytes{'a'}));
    EXPECT_EQ(second, (Bytes{'b'}));
    // Fill the block: the next read needs a new one while slices of the old are held...
    (void)arena.commit(arena.room(0).size());
    (void)arena.commit(arena.room(0).size());
    (void)arena.commit(arena.room(0).size());
    SharedBytes next = arena.commit(arena.room(256).size());   // 254 bytes left: too few
    EXPECT_NE(next.blockId(), first.blockId());
    EXPECT_EQ(first, (Bytes{'a'})) << "held bytes are never overwritten";
    // ...and is reused once nobody holds a slice of it.
    const void* block = next.blockId();
    next = {};
    (void)arena.commit(arena.room(0).size());
    (void)arena.commit(arena.room(0).size());
    (void)arena.commit(arena.room(0).size());
    const SharedBytes again = arena.commit(arena.room(256).size());
    EXPECT_EQ(again.blockId(), block) << "nobody held it: rewound, not reallocated";
}

// Slices released on other threads while the writer goes on (run under TSan by the sanitizer CI).
TEST(ReadArena, SlicesReleasedOnOtherThreads) {
    ReadArena arena(64 * 1024, 4096);
    std::vector<SharedBytes> handed;
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 40; ++i) {
            auto room = arena.room(0);
            for (std::size_t b = 0; b < 100; ++b) room[b] = static_cast<std::uint8_t>(round + i + b);
            handed.push_back(arena.commit(100));
        }
        std::thread reader([slices = std::move(handed), round] {
            for (std::size_t i = 0; i < slices.size(); ++i)
                for (std::size_t b = 0; b < 100; ++b)
                    ASSERT_EQ(slices[i][b], static_cast<std::uint8_t>(round + i + b));
        });
        handed.clear();
        reader.join();
    }
}

// Issue 7 goal 7B: a released 1 MiB block (the log evicts on the front end's thread) becomes the
// next 1 MiB block allocated (the I/O thread's read arena) instead of fresh pages; the pool holds
// at most kMaxPooledBlocks, other sizes are freed as before.
TEST(BlockPool, ReleasedMebibyteBlocksAreReusedAcrossThreadsAndThePoolIsBounded) {
    std::vector<ByteBlockWriter> writers;
    std::set<const std::uint8_t*> released;
    for (std::size_t i = 0; i < 2 * kMaxPooledBlocks; ++i) {
        writers.emplace_back(kPooledBlockBytes);
        released.insert(writers.back().whole().data());
    }
    // Released on another thread, as the log does.
    std::thread([&] { writers.clear(); }).join();
    const BlockPoolStats full = blockPoolStats();
    EXPECT_EQ(full.pooled, kMaxPooledBlocks) << "bounded: the rest went back to the allocator";

    { ByteBlockWriter other(4096); }
    EXPECT_EQ(blockPoolStats().pooled, kMaxPooledBlocks) << "other sizes are not pooled";

    std::vector<SharedBytes> slices;
    for (std::size_t i = 0; i < kMaxPooledBlocks; ++i) {
        ByteBlockWriter reused(kPooledBlockBytes);
        EXPECT_TRUE(released.count(reused.whole().data())) << "block " << i << " comes from the pool";
        std::memset(reused.tail(), int(i), 16);
        slices.push_back(reused.commit(16));
        EXPECT_EQ(slices.back().useCount(), 2u) << "a reused block starts with one reference";
    }
    const BlockPoolStats after = blockPoolStats();
    EXPECT_EQ(after.pooled, 0u);
    EXPECT_EQ(after.reused, full.reused + kMaxPooledBlocks);
    for (std::size_t i = 0; i < slices.size(); ++i) EXPECT_EQ(slices[i][15], std::uint8_t(i));
}

}  // namespace
}  // namespace sockscope
