#pragma once
// Test helper: runs the sockscope binary with its stdout a pipe the test reads (or does not read,
// or closes), stderr captured in a file. POSIX only; every wait is bounded.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace sockscope::test {

class PipedProcess {
public:
    explicit PipedProcess(std::vector<std::string> args) {
        static int counter = 0;
        m_err = "/tmp/sockscope-piped-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".err";
        int fds[2];
        // Close-on-exec: another child must not hold our read end (closing it would not be seen).
        // (pipe2 would be atomic, but macOS has no pipe2; tests fork from one thread at a time.)
        if (::pipe(fds) != 0) return;
        ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
        ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
            std::freopen(m_err.c_str(), "w", stderr);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::_Exit(127);
        }
        ::close(fds[1]);
        m_read = fds[0];
    }
    ~PipedProcess() {
        closeRead();
        if (m_pid > 0 && m_exit < 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        std::remove(m_err.c_str());
    }
    PipedProcess(const PipedProcess&) = delete;
    PipedProcess& operator=(const PipedProcess&) = delete;

    void signal(int sig) { ::kill(m_pid, sig); }
    void closeRead() {
        if (m_read >= 0) ::close(m_read);
        m_read = -1;
    }

    /// Reads until `count` complete lines have arrived in total (bounded); returns whether they did.
    bool readLines(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (lineCount() < count) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readSome(left)) return lineCount() >= count;
        }
        return true;
    }
    /// Reads until the output contains `text` (bounded); returns whether it does. A `pause`
    /// after each read makes a slow reader.
    bool readUntil(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                   std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        // Only the new bytes (and the text's length before them) are searched: searching the whole
        // output after every 4 KiB pipe read is quadratic, minutes for tens of megabytes.
        std::size_t from = 0;
        while (m_out.find(text, from) == std::string::npos) {
            from = m_out.size() >= text.size() ? m_out.size() - text.size() + 1 : 0;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readSome(left)) return m_out.find(text, from) != std::string::npos;
            if (pause.count() > 0) std::this_thread::sleep_for(pause);
        }
        return true;
    }
    /// Reads until `bytes` have arrived in total (bounded), with `pause` after each read (a slow
    /// reader that never stalls); returns whether they did.
    bool readBytes(std::size_t bytes, std::chrono::milliseconds timeout, std::chrono::milliseconds pause) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (m_out.size() < bytes) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !readSome(left)) return m_out.size() >= bytes;
            if (pause.count() > 0) std::this_thread::sleep_for(pause);
        }
        return true;
    }
    /// Reads until the writer closes the pipe (bounded); returns whether it did.
    bool readToEnd(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            if (!readSome(left)) return m_eof;
        }
    }

    /// Waits for exit; the exit code, or -1 after the timeout (the process is killed).
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        return waitForExit(m_pid, timeout, m_exit);
    }

    /// Waits until stderr contains `text` (bounded).
    bool waitForError(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (err().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    const std::string& out() const { return m_out; }
    std::string err() const { return readFile(m_err); }
    std::vector<std::string> lines() const {
        std::vector<std::string> result;
        std::size_t start = 0;
        for (std::size_t end; (end = m_out.find('\n', start)) != std::string::npos; start = end + 1)
            result.push_back(m_out.substr(start, end - start));
        return result;
    }

private:
    std::size_t lineCount() const {
        std::size_t n = 0;
        for (char c : m_out) n += c == '\n';
        return n;
    }
    /// One read after waiting up to `timeout`; false on EOF, error or timeout.
    bool readSome(std::chrono::milliseconds timeout) {
        if (m_read < 0) return false;
        pollfd p{m_read, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
        char buffer[65536];
        const auto n = ::read(m_read, buffer, sizeof buffer);
        if (n <= 0) {
            m_eof = n == 0;
            return false;
        }
        m_out.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    pid_t m_pid = -1;
    int m_read = -1;
    int m_exit = -1;
    bool m_eof = false;
    std::string m_out, m_err;
};

}  // namespace sockscope::test
