// The SMS gateway of production (DESIGN.md W15): Kannel's smsbox, through its sendsms HTTP
// interface (GET /cgi-bin/sendsms?username=..&password=..&to=..&text=..). Texts go as UTF-8 with
// coding 0 (GSM-7) where domain/sms.h says the text allows it, else 2 (UCS-2); smsbox splits long
// ones into concatenated parts. Each message asks for delivery reports (dlr-mask 31) at
// `<callback_url>/api/v1/sms/dlr?id=<id>&token=<token>&status=%d`, the token made by
// SmsCallbackToken so that a report cannot be forged for another message.
//
// Plain HTTP only: smsbox listens on the machine or the station's network (docs/sms.md). A thread
// of the gateway's own runs the requests (Begin queues them and returns), up to `connections` in
// flight, one per kept-alive connection (reopened when one has been idle for a few seconds, or
// smsbox closed it), each taking the next queued message as soon as it has its answer, so that
// the sender's commits do not pause the traffic; each request waits at most `timeout`, and once
// one connection fails or times out, the messages queued and not yet begun are answered at once,
// not tried (kUnavailable: the sender retries them later) until the next Begin.
// Thread-compatible: one caller (the sender); SendAll and Send wait for their own answers, and are
// not to be mixed with Begin's messages not yet answered.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "domain/status.h"
#include "service/sms_sender.h"

namespace herdpass::http {

struct KannelGatewayOptions {
  std::string sendsms_url;  // "http://127.0.0.1:13013/cgi-bin/sendsms"
  std::string username;
  std::string password;
  std::string callback_url;  // how smsbox reaches this server, "http://127.0.0.1:8080"; "" = none
  std::string secret;        // for the delivery reports' tokens
  std::string sender;        // the "from" number; "" = smsbox's own (global-sender)
  std::chrono::milliseconds timeout{10000};
  int connections = 4;  // requests in flight at once
};

// kInvalidArgument naming "sms-gateway" when the URL is not http://host[:port]/path.
Status CheckSendsmsUrl(const std::string& url);

class KannelGateway final : public SmsGateway {
 public:
  explicit KannelGateway(KannelGatewayOptions options);
  ~KannelGateway() override;
  Status Send(const SmsMessage& message) override;
  std::vector<Status> SendAll(std::span<const SmsMessage> messages) override;
  void Begin(std::vector<SmsMessage> messages) override;
  std::vector<Answer> Answered(size_t at_least, std::chrono::milliseconds wait) override;

 private:
  struct Pool;  // the event loop, its thread and the connections (Boost.Asio, in the .cpp)
  // sendsms's request target for `message`.
  std::string Target(const SmsMessage& message) const;

  KannelGatewayOptions options_;
  std::unique_ptr<Pool> pool_;
  std::string host_;
  std::string port_;
  std::string path_;
};

}  // namespace herdpass::http
