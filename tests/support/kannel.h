// Kannel for tests (DESIGN.md W15, issue 15): a real bearerbox and smsbox, run by the test with a
// kannel.conf of their own in a temp directory and free loopback ports, and a test SMSC that plays
// the operator's network.
//
// Kannel's `fake` SMSC type (gw/smsc/smsc_fake.c) listens on a TCP port and takes one client, which
// in Kannel's tree is its `fakesmsc` program: TestSmsc is that client. The protocol is one line per
// message, `sender receiver type data`:
//   from Kannel (what HerdPass sends): type `text` (the text as smsbox holds it, UTF-8), `ucs-2`
//     (UTF-16BE, URL-encoded), `data` (8-bit, URL-encoded), or `udh <udh> data <bytes>` for one
//     part of a concatenated message (both URL-encoded; the coding is not on the line);
//   to Kannel (what an owner sends): `text <text>`; bearerbox hands it to smsbox, whose sms-service
//     calls the configured URL.
// Kannel's fake SMSC answers every message it writes to the client with a successful delivery
// report of its own, so a dlr-url given to sendsms is called.
//
// KannelGateway's constructor returns once bearerbox, smsbox and the test SMSC are connected (it
// polls bearerbox's status page), or throws std::runtime_error with the boxes' logs. The destructor
// closes the SMSC connection, stops smsbox and bearerbox (SIGTERM, then SIGKILL) and removes the
// directory: nothing is left running. Not thread-safe except where a method says so; one per test.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

namespace herdpass::testing {

// One whole message as the operator's network got it from Kannel (parts of a concatenated message
// joined).
struct SmscMessage {
  std::string sender;
  std::string receiver;
  std::string coding;  // "text", "ucs-2" or "data" (parts sent with a UDH: see kannel.cpp)
  std::string text;    // UTF-8
  int parts = 1;
};

struct KannelOptions {
  // The URL smsbox POSTs an owner's message to (Kannel's sms-service post-url, with its escapes:
  // %p the sender, %P the receiver, %a the whole text); empty: owners' messages reach no one.
  std::string inbound_url;
  std::string sendsms_user = "herdpass";
  std::string sendsms_password = "kannel-test-secret";
  std::string short_number = "1440";  // the gateway's own number, the sender of what it sends
};

class KannelGateway {
 public:
  explicit KannelGateway(KannelOptions options = {});
  ~KannelGateway();
  KannelGateway(const KannelGateway&) = delete;
  KannelGateway& operator=(const KannelGateway&) = delete;

  // smsbox's sendsms interface: "http://127.0.0.1:PORT/cgi-bin/sendsms".
  std::string sendsms_url() const;
  int sendsms_port() const { return sendsms_port_; }
  const KannelOptions& options() const { return options_; }
  // For tests of the fixture itself: the boxes' pids and the temp directory.
  pid_t bearerbox_pid() const { return bearerbox_->pid(); }
  pid_t smsbox_pid() const;
  // How many times smsbox died and was started again (see KeepSmsbox).
  int smsbox_restarts() const;
  const std::string& dir() const { return dir_; }

  // Whole messages the test SMSC has received so far. Thread-safe.
  std::vector<SmscMessage> Received() const;
  // Waits until at least `count` whole messages have arrived, and returns all of them; fewer when
  // `timeout` passes first. Thread-safe.
  std::vector<SmscMessage> WaitForMessages(size_t count, std::chrono::milliseconds timeout) const;
  // The same until messages have reached at least `count` different receivers.
  std::vector<SmscMessage> WaitForReceivers(size_t count, std::chrono::milliseconds timeout) const;
  // Waits until bearerbox has nothing queued for the SMSC and every message it counts as sent has
  // reached the test SMSC (its status page); false after `timeout`. After it, Received() is final
  // for what was handed to smsbox before the call.
  bool WaitUntilDelivered(std::chrono::milliseconds timeout);
  // An owner's message: `from` sends `text` (UTF-8, one line) to `to`. Thread-safe.
  void Inject(const std::string& from, const std::string& to, const std::string& text);
  // The same sent as a phone sends a text outside GSM-7 (Cyrillic, Arabic script, Chinese): as
  // UCS-2 (the fake SMSC's `ucs2` type), which smsbox posts on as UTF-16BE. Thread-safe.
  void InjectUcs2(const std::string& from, const std::string& to, const std::string& text);

  // bearerbox's and smsbox's logs, for failure messages.
  std::string Logs() const;

 private:
  // Writes one line of the fake SMSC's protocol to bearerbox.
  void SendLine(const std::string& line);
  void StartBoxes();
  bool StatusShowsReady();
  void ConnectSmsc(std::chrono::milliseconds timeout);
  void ReadLoop();
  void HandleLine(const std::string& line);
  void Stop();
  // Starts smsbox again whenever it dies, as Debian's init script does (run_kannel_box), until
  // Stop(); runs on its own thread.
  void KeepSmsbox();

  KannelOptions options_;
  std::string dir_;
  int admin_port_ = 0;
  int smsbox_port_ = 0;
  int smsc_port_ = 0;
  int sendsms_port_ = 0;
  std::unique_ptr<Process> bearerbox_;
  ProcessOptions smsbox_options_;
  mutable std::mutex box_mutex_;  // guards smsbox_, smsbox_restarts_ and stopping_
  std::unique_ptr<Process> smsbox_;
  int smsbox_restarts_ = 0;
  bool stopping_ = false;
  std::thread keeper_;

  int smsc_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<SmscMessage> received_;
  // Parts of concatenated messages not yet whole, by "receiver/reference".
  std::map<std::string, std::map<int, std::string>> pending_parts_;
};

// A `serve --utc-offset` ("+07:00") that makes the local time about noon now: quiet hours (21:00 to
// 08:00 local, domain/sms.h) would otherwise hold the receipts of a test or benchmark run at night.
std::string NoonUtcOffset();

// A loopback HTTP server that records every request and answers 200 (the get-url/dlr-url end of a
// Kannel test when HerdPass is not the one called). Thread-safe; the destructor stops it.
struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
};

class RecordingHttpServer {
 public:
  RecordingHttpServer();
  ~RecordingHttpServer();
  RecordingHttpServer(const RecordingHttpServer&) = delete;
  RecordingHttpServer& operator=(const RecordingHttpServer&) = delete;

  int port() const { return port_; }
  // Waits until at least `count` requests have come, and returns all of them; fewer on timeout.
  std::vector<RecordedRequest> WaitForRequests(size_t count,
                                               std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace herdpass::testing
