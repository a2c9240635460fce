// kannel_fixture: the Kannel test fixture (kannel.h) as a program, for tests that are not C++ (the
// web end-to-end test of /me, web/e2e/me.test.mjs): the same real bearerbox and smsbox and the
// same test SMSC, not a second copy of them in JavaScript.
//
// Started, it prints one JSON line on stdout once the gateway is ready:
//   {"sendsms_url": "...", "user": "...", "password": "..."}
// then one JSON line per whole message the test SMSC receives:
//   {"sender": "...", "receiver": "...", "coding": "text", "text": "...", "parts": 1}
// It stops everything (smsbox, bearerbox, their directory) and exits 0 when its stdin closes or on
// SIGTERM, SIGINT or SIGHUP. It dies with its parent (PR_SET_PDEATHSIG: SIGTERM, even when the
// parent was killed with SIGKILL), and leads a process group of its own that bearerbox and smsbox
// belong to, so that a parent can end all three at once (kill(-pid, SIGKILL)) if the fixture
// itself was killed with SIGKILL and could not stop them.
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/support/kannel.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

void Print(const nlohmann::json& line) {
  std::cout << line.dump() << std::endl;  // flushed: the reader waits for each line
}

}  // namespace

int main() {
  // Before anything is started: a parent gone before this line would leave no one to tell us.
  const pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1;
  setpgid(0, 0);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    herdpass::testing::KannelGateway gateway;
    Print({{"sendsms_url", gateway.sendsms_url()},
           {"user", gateway.options().sendsms_user},
           {"password", gateway.options().sendsms_password}});
    // stdin closing (the parent ended, or is done) stops the fixture too.
    std::thread([] {
      char buf[256];
      while (std::fread(buf, 1, sizeof buf, stdin) > 0) {
      }
      g_stop.store(true);
    }).detach();
    size_t printed = 0;
    while (!g_stop.load()) {
      const auto messages = gateway.WaitForMessages(printed + 1, std::chrono::milliseconds(100));
      for (; printed < messages.size(); ++printed) {
        const auto& m = messages[printed];
        Print({{"sender", m.sender},
               {"receiver", m.receiver},
               {"coding", m.coding},
               {"text", m.text},
               {"parts", m.parts}});
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "kannel_fixture: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
