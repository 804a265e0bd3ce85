// One thread's event loop: epoll for sockets, one timerfd for the core's next deadline, a signalfd
// for signals. Ready sockets are served before the timer in each round, so that heartbeats already
// waiting in a socket are read before a death deadline is judged.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>

#include "common/micros.hpp"

namespace hb::io {

class Reactor {
public:
    Reactor();
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    void add(int fd, std::function<void()> on_readable);
    // Also call `on_writable` while `set_writable(fd, true)` (a client with queued output).
    void add(int fd, std::function<void()> on_readable, std::function<void()> on_writable);
    void set_writable(int fd, bool want);
    // Stop (false) or resume (true) calling `on_readable`: a client held back by flow control.
    void set_readable(int fd, bool want);
    void remove(int fd);
    // Absolute CLOCK_MONOTONIC time in microseconds; kNever disarms.
    void set_deadline(Micros when);
    void on_deadline(std::function<void()> fn) { on_deadline_ = std::move(fn); }
    // Called after every round of ready sockets and the timer: what the round produced for one
    // peer goes out in one write, not one write per message.
    // Returns an id for cancel_round_end().
    int after_each_round(std::function<void()> fn) {
        round_end_[++round_end_ids_] = std::move(fn);
        return round_end_ids_;
    }
    void cancel_round_end(int id) { round_end_.erase(id); }
    // Blocks these signals and delivers them through the loop instead.
    void watch_signals(std::initializer_list<int> signals, std::function<void(int)> on_signal);

    // Runs until stop(); returns false if epoll failed.
    bool run();
    void stop() { running_ = false; }

private:
    int epoll_fd_ = -1;
    int timer_fd_ = -1;
    int signal_fd_ = -1;
    bool running_ = false;
    struct Handlers {
        std::function<void()> readable;
        std::function<void()> writable;
        bool want_read = true;
        bool want_write = false;
    };
    void update(int fd, const Handlers& h);
    std::map<int, std::shared_ptr<Handlers>> handlers_;
    static constexpr Micros kUnarmed = -1;
    Micros armed_ = kUnarmed;
    std::function<void()> on_deadline_;
    std::map<int, std::function<void()>> round_end_;
    int round_end_ids_ = 0;
    std::function<void(int)> on_signal_;
};

}  // namespace hb::io
