#pragma once
// What a recorder's writer gathers before one write: the bytes the formatters made (headers,
// text, JSON) and, between them, large payloads held by reference (SharedBytes slices of the
// engine's read blocks) instead of copied in. RotatingFile writes it with one gather write
// (writev), so a received byte is copied once into the file by the kernel and never by us.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/shared_bytes.hpp"

namespace sockscope {

class RecordBuffer {
public:
    /// A payload referenced at byte offset `at` of bytes() (it comes before bytes()[at]).
    struct Ref {
        std::size_t at;
        SharedBytes bytes;
    };
    /// Payloads shorter than this are copied: an iovec and a reference cost more than the copy.
    static constexpr std::size_t kMinReference = 4096;

    /// `references`: false copies every payload into bytes() (exports, tests: one flat string).
    explicit RecordBuffer(bool references = true) : m_references(references) {}

    /// The formatted bytes (without the referenced payloads). Append freely.
    std::string& bytes() noexcept { return m_bytes; }
    const std::string& bytes() const noexcept { return m_bytes; }
    const std::vector<Ref>& refs() const noexcept { return m_refs; }
    /// What the file gets: bytes() and the referenced payloads.
    [[nodiscard]] std::size_t size() const noexcept { return m_bytes.size() + m_referenced; }
    /// Bytes held by reference so far (size() - bytes().size()).
    [[nodiscard]] std::size_t referenced() const noexcept { return m_referenced; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

    /// Appends `part` (bytes inside `owner`, or anywhere when `owner` is null): by reference when
    /// it is large and owned, copied otherwise.
    void payload(std::span<const std::uint8_t> part, const SharedBytes* owner) {
        if (m_references && owner && part.size() >= kMinReference && part.data() >= owner->data() &&
            part.data() + part.size() <= owner->data() + owner->size()) {
            m_refs.push_back({m_bytes.size(), owner->slice(static_cast<std::size_t>(part.data() - owner->data()), part.size())});
            m_referenced += part.size();
            return;
        }
        m_bytes.append(reinterpret_cast<const char*>(part.data()), part.size());
    }
    void clear() noexcept {
        m_bytes.clear();
        m_refs.clear();
        m_referenced = 0;
    }

private:
    std::string m_bytes;
    std::vector<Ref> m_refs;
    std::size_t m_referenced = 0;
    bool m_references;
};

}  // namespace sockscope
