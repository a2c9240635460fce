#include "http/kannel_gateway.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/request.h"
#include "service/sms_callback.h"

namespace herdpass::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct UrlParts {
  std::string host, port, path;
};

// http://host[:port]/path, as smsbox's address is configured; anything else is refused at start.
Result<UrlParts> SplitUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return InvalidArgument("sms-gateway",
                           "--sms-gateway must be an http:// URL of smsbox's sendsms");
  }
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  UrlParts p;
  p.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  p.host = authority.substr(0, colon);
  p.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (p.host.empty() || p.port.empty() ||
      p.port.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("sms-gateway", "--sms-gateway must be http://host[:port]/path");
  }
  return p;
}

}  // namespace

Status CheckSendsmsUrl(const std::string& url) { return SplitUrl(url).status(); }

KannelGateway::KannelGateway(KannelGatewayOptions options) : options_(std::move(options)) {
  if (auto parts = SplitUrl(options_.sendsms_url); parts.ok()) {
    host_ = parts->host;
    port_ = parts->port;
    path_ = parts->path;
  }
}

Status KannelGateway::Send(const SmsMessage& m) {
  if (host_.empty()) return InvalidArgument("sms-gateway", "no sendsms URL");
  const SmsEncoding enc = EncodeForSms(m.body);
  std::string target = path_ + (path_.find('?') == std::string::npos ? "?" : "&");
  target += "username=" + PercentEncode(options_.username) +
            "&password=" + PercentEncode(options_.password) + "&to=" + PercentEncode(m.phone) +
            "&text=" + PercentEncode(m.body) +
            "&charset=UTF-8&coding=" + (enc.coding == SmsCoding::kGsm7 ? "0" : "2");
  if (!options_.sender.empty()) target += "&from=" + PercentEncode(options_.sender);
  if (!options_.callback_url.empty()) {
    const std::string dlr = options_.callback_url + "/api/v1/sms/dlr?id=" + std::to_string(m.id) +
                            "&token=" + SmsCallbackToken(options_.secret, m.id) + "&status=%d";
    target += "&dlr-mask=31&dlr-url=" + PercentEncode(dlr);
  }
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(options_.timeout);
    stream.connect(resolver.resolve(host_, port_));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, host_);
    req.set(bhttp::field::user_agent, "HerdPass");
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    // smsbox answers 202 "0: Accepted for delivery" or "3: Queued for later delivery".
    if (res.result_int() == 202 || res.result_int() == 200) return Status::Ok();
    return Unavailable("smsbox answered " + std::to_string(res.result_int()) + ": " + res.body());
  } catch (const std::exception& e) {
    return Unavailable(std::string("smsbox unreachable: ") + e.what());
  }
}

}  // namespace herdpass::http
