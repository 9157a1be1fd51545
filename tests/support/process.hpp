#pragma once
// Test helper: runs a program (the sockscope binary) as a user would, with its stdout/stderr
// captured in files, bounded in time. POSIX only.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sockscope::test {

/// Waits (bounded) for `pid` to exit and stores its exit code (128 + signal when killed) in `exit`;
/// returns it, or -1 after the timeout, when the process is killed and `exit` becomes 137.
inline int waitForExit(pid_t pid, std::chrono::milliseconds timeout, int& exit) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    exit = 137;
    return -1;
}

inline std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class Process {
public:
    explicit Process(std::vector<std::string> args) {
        static int counter = 0;
        const std::string base = "/tmp/sockscope-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        m_out = base + ".out";
        m_err = base + ".err";
        m_pid = ::fork();
        if (m_pid == 0) {
            std::freopen(m_out.c_str(), "w", stdout);
            std::freopen(m_err.c_str(), "w", stderr);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::_Exit(127);
        }
    }
    ~Process() {
        if (m_pid > 0 && m_exit < 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        std::remove(m_out.c_str());
        std::remove(m_err.c_str());
    }

    void signal(int sig) { ::kill(m_pid, sig); }

    /// Waits for exit; returns the exit code, or -1 after the timeout (the process is killed).
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        return waitForExit(m_pid, timeout, m_exit);
    }

    /// Waits until stdout contains `text` (bounded); returns whether it did.
    bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (out().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    std::string out() const { return readFile(m_out); }
    std::string err() const { return readFile(m_err); }

private:
    pid_t m_pid = -1;
    int m_exit = -1;
    std::string m_out, m_err;
};

}  // namespace sockscope::test
