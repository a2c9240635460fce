#include "tests/support/kannel.h"

#include <arpa/inet.h>
#include <iconv.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "http/charset.h"
#include "http/request.h"
#include "tests/support/http_client.h"

namespace herdpass::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kBearerbox = "/usr/sbin/bearerbox";
constexpr const char* kSmsbox = "/usr/sbin/smsbox";
constexpr const char* kAdminPassword = "kannel-test-admin";

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != 0 ? tmp : "/tmp") + "/hp-kannel-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp " + pattern + " failed");
  return pattern;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// UTF-16BE (Kannel's UCS-2) to UTF-8; a lone surrogate becomes U+FFFD.
std::string Utf16BeToUtf8(const std::string& bytes) {
  std::string out;
  auto put = [&out](uint32_t c) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  };
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    uint32_t unit = (static_cast<uint8_t>(bytes[i]) << 8) | static_cast<uint8_t>(bytes[i + 1]);
    if (unit >= 0xD800 && unit < 0xDC00 && i + 3 < bytes.size()) {
      uint32_t low = (static_cast<uint8_t>(bytes[i + 2]) << 8) | static_cast<uint8_t>(bytes[i + 3]);
      if (low >= 0xDC00 && low < 0xE000) {
        put(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    put(unit >= 0xD800 && unit < 0xE000 ? 0xFFFD : unit);
  }
  return out;
}

// The parts of a concatenated message carry no coding on the fake SMSC's line (smsc_fake.c writes
// `udh .. data ..` for every coding). UCS-2 text always has a byte below 0x20 (the high byte of
// Latin, Cyrillic and Arabic letters, digits and spaces) or is not UTF-8 at all (CJK), while the
// 7-bit text smsbox holds is UTF-8 with no control bytes but line ends: that tells them apart.
bool LooksLikeUcs2(const std::string& bytes) {
  for (unsigned char c : bytes) {
    if (c < 0x20 && c != '\n' && c != '\r') return true;
  }
  for (size_t i = 0; i < bytes.size();) {
    auto c = static_cast<unsigned char>(bytes[i]);
    size_t follow = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
    if (follow == 9 || i + follow >= bytes.size()) return true;
    for (size_t k = 1; k <= follow; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) >> 6) != 2) return true;
    }
    i += follow + 1;
  }
  return false;
}

}  // namespace

KannelGateway::KannelGateway(KannelOptions options) : options_(std::move(options)) {
  dir_ = MakeTempDir();
  try {
    StartBoxes();
    ConnectSmsc(std::chrono::seconds(30));
    // Ready when bearerbox counts smsbox among its boxes and the fake SMSC as online: before that a
    // message sent or injected would wait in a queue, and a test would race Kannel's start.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!StatusShowsReady()) {
      if (std::chrono::steady_clock::now() > deadline || !bearerbox_->Running() ||
          !smsbox_->Running()) {
        throw std::runtime_error("Kannel did not become ready:\n" + Logs());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition
    }
    keeper_ = std::thread([this] { KeepSmsbox(); });
  } catch (...) {
    Stop();
    throw;
  }
}

KannelGateway::~KannelGateway() { Stop(); }

void KannelGateway::StartBoxes() {
  admin_port_ = FindFreePort();
  smsbox_port_ = FindFreePort();
  smsc_port_ = FindFreePort();
  sendsms_port_ = FindFreePort();
  std::ofstream conf(dir_ + "/kannel.conf");
  conf << "group = core\n"
       << "admin-port = " << admin_port_ << "\nadmin-interface = 127.0.0.1\n"
       << "admin-password = " << kAdminPassword << "\n"
       << "smsbox-port = " << smsbox_port_ << "\nsmsbox-interface = 127.0.0.1\n"
       << "box-allow-ip = 127.0.0.1\n"
       << "log-file = \"" << dir_ << "/bearerbox.log\"\nlog-level = 1\n"
       << "dlr-storage = internal\n\n"
       << "group = smsc\nsmsc = fake\nsmsc-id = operator\n"
       << "port = " << smsc_port_ << "\nour-host = 127.0.0.1\nconnect-allow-ip = 127.0.0.1\n\n"
       << "group = smsbox\nbearerbox-host = 127.0.0.1\n"
       << "bearerbox-port = " << smsbox_port_ << "\n"
       << "sendsms-port = " << sendsms_port_ << "\nsendsms-interface = 127.0.0.1\n"
       << "global-sender = " << options_.short_number << "\n"
       << "log-file = \"" << dir_ << "/smsbox.log\"\nlog-level = 1\n\n"
       << "group = sendsms-user\nusername = " << options_.sendsms_user << "\n"
       << "password = " << options_.sendsms_password << "\n"
       << "concatenation = true\nmax-messages = 10\n"
       << "user-allow-ip = 127.0.0.1\n\n"
       << "group = sms-service\nkeyword = default\ncatch-all = true\nmax-messages = 0\n"
       << "accept-x-kannel-headers = true\n";
  if (!options_.inbound_url.empty())
    conf << "post-url = \"" << options_.inbound_url << "\"\n";
  else
    conf << "text = \"\"\n";
  conf.close();
  if (!conf) throw std::runtime_error("cannot write " + dir_ + "/kannel.conf");

  ProcessOptions bb;
  bb.path = kBearerbox;
  bb.args = {dir_ + "/kannel.conf"};
  bb.stdout_path = dir_ + "/bearerbox.out";
  bb.stderr_path = dir_ + "/bearerbox.out";
  bearerbox_ = std::make_unique<Process>(bb);
  if (!bearerbox_->WaitForPort("127.0.0.1", smsbox_port_, std::chrono::seconds(30))) {
    throw std::runtime_error("bearerbox did not start:\n" + Logs());
  }
  ProcessOptions sb = bb;
  sb.path = kSmsbox;
  sb.stdout_path = dir_ + "/smsbox.out";
  sb.stderr_path = dir_ + "/smsbox.out";
  smsbox_options_ = sb;
  smsbox_ = std::make_unique<Process>(sb);
  if (!smsbox_->WaitForPort("127.0.0.1", sendsms_port_, std::chrono::seconds(30))) {
    throw std::runtime_error("smsbox did not start:\n" + Logs());
  }
}

bool KannelGateway::StatusShowsReady() {
  try {
    HttpClient admin("127.0.0.1", admin_port_);
    auto status = admin.Get(std::string("/status.txt?password=") + kAdminPassword);
    if (status.status != 200) return false;
    const std::string& s = status.body;
    // "Box connections:\n    smsbox:(none), IP 127.0.0.1 (0 queued), (on-line ...)" and
    // "SMSC connections:\n    operator    FAKE:PORT (online 0s, ...)".
    auto boxes = s.find("Box connections:");
    bool smsbox_connected =
        boxes != std::string::npos && s.find("smsbox", boxes) != std::string::npos;
    auto smscs = s.find("SMSC connections:");
    bool smsc_online = smscs != std::string::npos && s.find("(online", smscs) != std::string::npos;
    return smsbox_connected && smsc_online;
  } catch (const std::exception&) {
    return false;
  }
}

bool KannelGateway::WaitUntilDelivered(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      HttpClient admin("127.0.0.1", admin_port_);
      auto status = admin.Get(std::string("/status.txt?password=") + kAdminPassword);
      // "SMS: received 1 (0 queued), sent 30 (0 queued), store size -1"
      long received = 0, received_queued = 0, sent = 0, sent_queued = 0;
      auto at = status.body.find("SMS: received");
      if (at != std::string::npos &&
          std::sscanf(status.body.c_str() + at,
                      "SMS: received %ld (%ld queued), sent %ld (%ld queued)", &received,
                      &received_queued, &sent, &sent_queued) == 4 &&
          sent_queued == 0) {
        // bearerbox splits a long message itself (smscconn_send) and counts it sent once, when
        // its last part is (bb_smscconn_sent via handle_split): whole messages, not parts.
        if (static_cast<long>(Received().size()) == sent) return true;
      }
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling a condition
  }
  return false;
}

void KannelGateway::ConnectSmsc(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(smsc_port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      smsc_fd_ = fd;
      break;
    }
    ::close(fd);
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the test SMSC could not connect to bearerbox:\n" + Logs());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition
  }
  reader_ = std::thread([this] { ReadLoop(); });
}

void KannelGateway::ReadLoop() {
  std::string buffer;
  char chunk[4096];
  while (true) {
    ssize_t n = ::recv(smsc_fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return;  // closed by Stop() or by bearerbox
    buffer.append(chunk, static_cast<size_t>(n));
    size_t end;
    while ((end = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      HandleLine(line);
    }
  }
}

void KannelGateway::HandleLine(const std::string& line) {
  // sender receiver type data  |  sender receiver udh <udh> data <bytes>
  std::istringstream in(line);
  SmscMessage m;
  std::string type;
  in >> m.sender >> m.receiver >> type;
  std::string rest;
  std::getline(in, rest);
  if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  std::lock_guard lock(mutex_);
  if (type == "text") {
    m.coding = "text";
    m.text = rest;
  } else if (type == "ucs-2") {
    m.coding = "ucs-2";
    m.text = Utf16BeToUtf8(http::PercentDecode(rest, true));
  } else if (type == "data") {
    m.coding = "data";
    m.text = http::PercentDecode(rest, true);
  } else if (type == "udh") {
    auto space = rest.find(' ');
    std::string udh = http::PercentDecode(rest.substr(0, space), true);
    std::string data = rest.substr(space + 1);
    if (data.rfind("data ", 0) == 0) data.erase(0, 5);
    data = http::PercentDecode(data, true);
    // UDH: length, then information elements; 0x00 = concatenation with an 8-bit reference
    // (ref, total, seq), 0x08 = with a 16-bit one.
    int ref = -1, total = 1, seq = 1;
    for (size_t i = 1; i + 1 < udh.size();) {
      auto iei = static_cast<uint8_t>(udh[i]);
      auto len = static_cast<uint8_t>(udh[i + 1]);
      if (iei == 0 && len == 3 && i + 4 < udh.size()) {
        ref = static_cast<uint8_t>(udh[i + 2]);
        total = static_cast<uint8_t>(udh[i + 3]);
        seq = static_cast<uint8_t>(udh[i + 4]);
      } else if (iei == 8 && len == 4 && i + 5 < udh.size()) {
        ref = (static_cast<uint8_t>(udh[i + 2]) << 8) | static_cast<uint8_t>(udh[i + 3]);
        total = static_cast<uint8_t>(udh[i + 4]);
        seq = static_cast<uint8_t>(udh[i + 5]);
      }
      i += 2 + len;
    }
    std::string key = m.receiver + "/" + std::to_string(ref);
    auto& parts = pending_parts_[key];
    parts[seq] = data;
    if (static_cast<int>(parts.size()) < total) return;
    std::string whole;
    for (auto& [n, bytes] : parts) whole += bytes;
    pending_parts_.erase(key);
    m.parts = total;
    if (LooksLikeUcs2(whole)) {
      m.coding = "ucs-2";
      m.text = Utf16BeToUtf8(whole);
    } else {
      m.coding = "text";
      m.text = whole;
    }
  } else {
    m.coding = type;
    m.text = rest;
  }
  received_.push_back(std::move(m));
  changed_.notify_all();
}

std::vector<SmscMessage> KannelGateway::Received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::vector<SmscMessage> KannelGateway::WaitForMessages(size_t count,
                                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
  return received_;
}

std::vector<SmscMessage> KannelGateway::WaitForReceivers(size_t count,
                                                         std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    std::set<std::string> receivers;
    for (const SmscMessage& m : received_) receivers.insert(m.receiver);
    return receivers.size() >= count;
  });
  return received_;
}

void KannelGateway::Inject(const std::string& from, const std::string& to,
                           const std::string& text) {
  SendLine(from + " " + to + " text " + text + "\n");
}

void KannelGateway::SendLine(const std::string& line) {
  std::lock_guard lock(mutex_);
  size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n = ::send(smsc_fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("the test SMSC lost its connection to bearerbox");
    sent += static_cast<size_t>(n);
  }
}

void KannelGateway::InjectUcs2(const std::string& from, const std::string& to,
                               const std::string& text) {
  auto ucs2 = http::Recode(text, "UTF-8", "UTF-16BE", "text");
  if (!ucs2.ok()) throw std::runtime_error("InjectUcs2: " + ucs2.status().message());
  SendLine(from + " " + to + " ucs2 " + http::PercentEncode(*ucs2) + "\n");
}

std::string KannelGateway::sendsms_url() const {
  return "http://127.0.0.1:" + std::to_string(sendsms_port_) + "/cgi-bin/sendsms";
}

std::string KannelGateway::Logs() const {
  std::string out;
  for (const char* name : {"bearerbox.out", "bearerbox.log", "smsbox.out", "smsbox.log"}) {
    std::string text = ReadFile(dir_ + "/" + name);
    if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
    out += "--- " + std::string(name) + "\n" + text;
  }
  return out;
}

pid_t KannelGateway::smsbox_pid() const {
  std::lock_guard lock(box_mutex_);
  return smsbox_->pid();
}

int KannelGateway::smsbox_restarts() const {
  std::lock_guard lock(box_mutex_);
  return smsbox_restarts_;
}

// Debian 12's smsbox (Kannel 1.4.5) can abort (`PANIC: gwlib/conn.c: conn_unregister: Assertion
// 'conn != NULL' failed`) when the server its dlr-url points at dies while smsbox is sending it a
// delivery report, as the kill -9 tests make `serve` do. In service, Debian's init script runs each
// box under run_kannel_box, which starts it again; this does the same for the test's smsbox (it
// reconnects to bearerbox by itself; what was handed to it before it died is handed again by
// HerdPass's retries). smsbox's log says when it happened.
void KannelGateway::KeepSmsbox() {
  for (;;) {
    std::unique_lock lock(box_mutex_);
    if (stopping_) return;
    Process& box = *smsbox_;
    lock.unlock();
    // Only this thread reaps smsbox while the keeper runs (Stop() joins it first).
    const std::optional<ExitStatus> ended = box.Wait(std::chrono::milliseconds(200));
    lock.lock();
    if (stopping_) return;
    if (!ended) continue;
    ++smsbox_restarts_;
    smsbox_ = std::make_unique<Process>(smsbox_options_);
  }
}

void KannelGateway::Stop() {
  {
    std::lock_guard lock(box_mutex_);
    stopping_ = true;
  }
  if (keeper_.joinable()) keeper_.join();
  if (smsc_fd_ >= 0) ::shutdown(smsc_fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  if (smsc_fd_ >= 0) ::close(smsc_fd_);
  smsc_fd_ = -1;
  for (auto* box : {&smsbox_, &bearerbox_}) {
    if (*box == nullptr) continue;
    (*box)->Kill(SIGTERM);
    if (!(*box)->Wait(std::chrono::seconds(15))) {
      (*box)->Kill(SIGKILL);
      (void)(*box)->Wait(std::chrono::seconds(15));
    }
    box->reset();
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    dir_.clear();
  }
}

std::string NoonUtcOffset() {
  const auto now = std::chrono::system_clock::now();
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(
                        now - std::chrono::floor<std::chrono::days>(now))
                        .count();
  char text[16];
  std::snprintf(text, sizeof text, "%+03d:00", 12 - static_cast<int>(hour));  // -11..+12
  return text;
}

// --- RecordingHttpServer ---

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct RecordingHttpServer::Impl {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<RecordedRequest> requests;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      // One connection at a time, synchronously: test traffic is a handful of requests.
      beast::flat_buffer buffer;
      while (true) {
        http::request<http::string_body> req;
        beast::error_code rec;
        http::read(socket, buffer, req, rec);
        if (rec) break;
        {
          std::lock_guard lock(mutex);
          requests.push_back(
              {std::string(req.method_string()), std::string(req.target()), req.body()});
          changed.notify_all();
        }
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        http::write(socket, res, rec);
        if (rec || !req.keep_alive()) break;
      }
      Accept();
    });
  }
};

RecordingHttpServer::RecordingHttpServer() : impl_(std::make_unique<Impl>()) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

RecordingHttpServer::~RecordingHttpServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::vector<RecordedRequest> RecordingHttpServer::WaitForRequests(
    size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, timeout, [&] { return impl_->requests.size() >= count; });
  return impl_->requests;
}

}  // namespace herdpass::testing
