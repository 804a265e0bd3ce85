#include "io/reactor.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace hb::io {

Reactor::Reactor() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epoll_fd_ < 0 || timer_fd_ < 0) throw std::runtime_error("epoll/timerfd unavailable");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = timer_fd_;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev);
}

Reactor::~Reactor() {
    if (signal_fd_ >= 0) close(signal_fd_);
    close(timer_fd_);
    close(epoll_fd_);
}

void Reactor::add(int fd, std::function<void()> on_readable) { add(fd, std::move(on_readable), nullptr); }

void Reactor::add(int fd, std::function<void()> on_readable, std::function<void()> on_writable) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) throw std::runtime_error("epoll_ctl add failed");
    handlers_[fd] = std::make_shared<Handlers>(Handlers{std::move(on_readable), std::move(on_writable)});
}

void Reactor::set_writable(int fd, bool want) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end() || it->second->want_write == want) return;
    it->second->want_write = want;
    update(fd, *it->second);
}

void Reactor::set_readable(int fd, bool want) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end() || it->second->want_read == want) return;
    it->second->want_read = want;
    update(fd, *it->second);
}

void Reactor::update(int fd, const Handlers& h) {
    epoll_event ev{};
    ev.events = (h.want_read ? EPOLLIN : 0u) | (h.want_write ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void Reactor::remove(int fd) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    handlers_.erase(fd);
}

void Reactor::set_deadline(Micros when) {
    // The core's deadline rarely moves between events; a timerfd_settime per event cost 6% of a
    // busy daemon (perf, hbbench S2).
    if (when == armed_) return;
    armed_ = when;
    itimerspec spec{};
    if (when != kNever) {
        // 0 would disarm the timer: a deadline in the past fires at the next nanosecond.
        when = std::max<Micros>(when, 0);
        spec.it_value.tv_sec = when / 1'000'000;
        spec.it_value.tv_nsec = (when % 1'000'000) * 1000 + 1;
    }
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void Reactor::watch_signals(std::initializer_list<int> signals, std::function<void(int)> on_signal) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0) throw std::runtime_error("signalfd unavailable");
    on_signal_ = std::move(on_signal);
    add(signal_fd_, [this] {
        signalfd_siginfo info{};
        for (int i = 0; i < 64 && read(signal_fd_, &info, sizeof info) == sizeof info; ++i) {
            on_signal_(static_cast<int>(info.ssi_signo));
        }
    });
}

bool Reactor::run() {
    running_ = true;
    std::vector<epoll_event> events(64);
    while (running_) {
        int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        bool timer_ready = false;
        for (int i = 0; i < n && running_; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == timer_fd_) {
                timer_ready = true;
                continue;
            }
            const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
            auto it = handlers_.find(fd);
            if (it == handlers_.end()) continue;
            std::shared_ptr<Handlers> handlers = it->second;  // a handler may remove its fd
            if ((what & EPOLLOUT) && handlers->writable) handlers->writable();
            if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) && handlers_.count(fd) && handlers->readable) handlers->readable();
        }
        if (timer_ready && running_) {
            std::uint64_t expirations = 0;
            armed_ = kUnarmed;  // fired: the same deadline, asked again, must be armed again
            if (read(timer_fd_, &expirations, sizeof expirations) > 0 && on_deadline_) on_deadline_();
        }
        for (auto& [id, fn] : round_end_) fn();
    }
    return true;
}

}  // namespace hb::io
