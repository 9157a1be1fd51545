#pragma once
// Errors in plain words. Every I/O failure becomes an ErrorInfo with a symbolic code (as a user
// would search for it: "EADDRINUSE") and a sentence that says what happened and what to try.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace sockscope {

struct PortStateCounts;

/// What the engine was doing when the error happened; it changes the advice.
enum class ErrorContext : std::uint8_t {
    Bind, Listen, Accept, Connect, Resolve, Read, Write, SetOption, MulticastJoin, Config, Other,
    Framing,   // received bytes that do not form a message (FRAME_TOO_LONG, BAD_FRAME_LENGTH, ...)
};

struct ErrorInfo {
    ErrorInfo() = default;
    /// Every error the engine builds says it in both languages: there is no constructor without
    /// the Chinese text (tests/core/net/error_text_test.cpp checks that this stays so).
    ErrorInfo(std::string code_, std::string message_, std::string message_zh_)
        : code(std::move(code_)), message(std::move(message_)), message_zh(std::move(message_zh_)) {}

    std::string code;       // "EADDRINUSE", "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH",
                            // "ENOTFOUND" (name resolution), "EACCES", "EMFILE", "ECONNRESET", ...
    std::string message;    // plain words, names the address/port involved (English: headless, logs)
    std::string message_zh; // the same in Chinese, for the GUI in Chinese; empty: not translated
    bool operator==(const ErrorInfo&) const = default;
};

/// Turns an error code into an ErrorInfo. `target` is the "host:port" (or address) involved.
/// For EADDRINUSE on Bind/Listen, pass the socket table counts of that port when known: the
/// message then says whether TIME_WAIT leftovers suggest SO_REUSEADDR or another socket listens.
/// `timeout_ms` (> 0) is the deadline that ran out, for ETIMEDOUT on Connect ("within 5 s").
/// Messages are English, start lowercase and end without a period; message_zh says the same in
/// Chinese (the GUI shows it when its language is Chinese).
ErrorInfo describeError(std::error_code ec, ErrorContext context, const std::string& target,
                        const PortStateCounts* port_counts = nullptr, int timeout_ms = 0);

/// EADDRINUSE binding the dual-stack wildcard "[::]:port" while an IPv4 socket holds the port
/// (found by an IPv6-only bind that succeeds): names the IPv4 holder, not "[::]".
ErrorInfo describeDualStackConflict(const std::string& target, std::uint16_t port);

/// Symbolic name of an errno-style code ("EADDRINUSE"); asio's resolver errors read "ENOTFOUND",
/// "EAI_AGAIN", "EAI_FAIL", "EAI_SERVICE"; asio::error::eof reads "EOF", operation_aborted
/// "ECANCELED"; no error reads "OK"; "E<number>" when unknown.
std::string errorCodeName(std::error_code ec);

/// Winsock's name of a Windows socket error number ("WSAEADDRINUSE" for 10048, "WSAHOST_NOT_FOUND"
/// for 11001); nullptr when not a Winsock code. On Windows every describeError message of such a
/// code ends with "[WSAEADDRINUSE 10048]". Pure: the same table on every OS.
const char* winsockErrorName(int code);

const char* toString(ErrorContext context);  // "bind", "listen", "accept", "connect", ..., "framing"

/// What was being done to a file when it failed; it picks the opening words and the advice.
enum class FileOp : std::uint8_t {
    Read,       // a file send: "cannot read file \"fw.bin\": it does not exist (...)"
    Open,       // a recorder: "cannot open /x/s.pcapng: permission denied"
    Write,      // "cannot write /x/s.pcapng: the disk is full"
    NewFile,    // rotation: "cannot start a new file /x/s.pcapng: ..."
};

/// A file error in plain words; the code is the errno name ("ENOENT", "ENOSPC", "EACCES", ...).
ErrorInfo describeFileError(std::error_code ec, const std::string& path, FileOp op);

}  // namespace sockscope
