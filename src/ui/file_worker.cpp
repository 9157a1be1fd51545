#include "ui/file_worker.hpp"

#include <algorithm>

namespace sockscope::ui {

FileWorker::FileWorker(std::function<void()> wake) : m_wake(std::move(wake)), m_thread([this] { run(); }) {}

FileWorker::~FileWorker() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void FileWorker::post(std::string key, Job job) {
    {
        std::lock_guard lock(m_mutex);
        auto same = key.empty() ? m_queue.end()
                                : std::find_if(m_queue.begin(), m_queue.end(),
                                               [&](const Item& item) { return item.key == key; });
        if (same != m_queue.end()) same->job = std::move(job);   // the latest snapshot wins
        else m_queue.push_back({std::move(key), std::move(job)});
    }
    m_cv.notify_one();
}

void FileWorker::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) return;   // stopping, and nothing left to write
        Item item = std::move(m_queue.front());
        m_queue.pop_front();
        ++m_running;
        lock.unlock();
        Completion done = item.job ? item.job() : Completion();
        lock.lock();
        --m_running;
        if (done) m_done.push_back(std::move(done));
        if (m_queue.empty()) m_idle.notify_all();
        if (m_wake) {
            lock.unlock();
            m_wake();
            lock.lock();
        }
    }
}

std::size_t FileWorker::poll() {
    std::vector<Completion> done;
    {
        std::lock_guard lock(m_mutex);
        done.swap(m_done);
    }
    for (auto& completion : done) completion();
    return done.size();
}

void FileWorker::drain() {
    {
        std::unique_lock lock(m_mutex);
        m_idle.wait(lock, [this] { return m_queue.empty() && m_running == 0; });
    }
    poll();
}

std::size_t FileWorker::pending() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size() + m_running;
}

}  // namespace sockscope::ui
