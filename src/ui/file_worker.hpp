#pragma once
// File I/O off the frame loop: one background thread runs jobs (autosave, settings, profile open
// and save) and hands each result back to the UI thread as a completion that poll() runs. A job
// with a key replaces a queued job with the same key that has not started yet, so a burst of
// changes writes only the latest snapshot and the queue stays bounded. No ImGui here.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sockscope::ui {

class FileWorker {
public:
    using Completion = std::function<void()>;   ///< runs on the UI thread (poll)
    using Job = std::function<Completion()>;    ///< runs on the worker thread

    /// `wake` is called (from the worker) when a completion is ready: the app posts an empty
    /// event so the frame loop wakes and polls.
    explicit FileWorker(std::function<void()> wake = {});
    ~FileWorker();   ///< finishes the queued jobs, then joins (their completions are dropped)
    FileWorker(const FileWorker&) = delete;
    FileWorker& operator=(const FileWorker&) = delete;

    void post(std::string key, Job job);
    /// Runs the completions of finished jobs, in order; returns how many ran (UI thread).
    std::size_t poll();
    /// Waits until every queued job has run, then polls (shutdown, tests).
    void drain();
    /// Jobs queued or running.
    std::size_t pending() const;

private:
    struct Item {
        std::string key;
        Job job;
    };
    void run();

    std::function<void()> m_wake;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idle;
    std::deque<Item> m_queue;
    std::vector<Completion> m_done;
    std::size_t m_running = 0;
    bool m_stop = false;
    std::thread m_thread;   // last: starts after the members it uses exist
};

}  // namespace sockscope::ui
