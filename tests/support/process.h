// Starts a child process for black-box tests (the real `herdpass` binary) and controls it.
//
// Not thread-safe. The destructor kills a child that is still running (SIGKILL) and reaps it, so a
// failing test leaves no server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herdpass::testing {

struct ExitStatus {
  bool exited = false;  // ended by exit(): `code` holds the exit code
  int code = 0;
  bool signaled = false;  // ended by a signal: `signal` holds it
  int signal = 0;
};

struct ProcessOptions {
  std::string path;               // executable; not searched in PATH
  std::vector<std::string> args;  // argv[1..]
  // Added to (or replacing in) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::string stdout_path;  // when set, stdout is appended to this file (else inherited)
  std::string stderr_path;  // when set, stderr is appended to this file (else inherited)
};

class Process {
 public:
  // Spawns the child with posix_spawn; throws std::runtime_error when that fails.
  explicit Process(const ProcessOptions& options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Waits until host:port accepts a TCP connection. False when `timeout` passes or the child exits
  // first (then exit_status() says how).
  bool WaitForPort(const std::string& host, int port, std::chrono::milliseconds timeout);

  // Sends `signal` (SIGTERM, SIGKILL, ...) unless the child has already been reaped.
  void Kill(int signal);

  // Waits for the child to end and reaps it; nullopt when `timeout` passes first.
  std::optional<ExitStatus> Wait(std::chrono::milliseconds timeout);

  // Reaps the child if it has ended; true when it is still running.
  bool Running();

  // How the child ended, once reaped.
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

 private:
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_status_;
};

}  // namespace herdpass::testing
