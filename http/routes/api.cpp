#include "http/routes/api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "http/request.h"
#include "http/response.h"
#include "http/routes/json_mapping.h"
#include "service/certificate_documents.h"

namespace herdpass::http {
namespace {

using nlohmann::json;
using AuthedHandler = std::function<Response(Request&, const Caller&)>;

// What a signed-in caller is answered names people, phone numbers and tokens: no cache keeps it
// (Cache-Control: no-store), unless the handler chose otherwise for data that holds none.
Response NoStore(Response r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Cache-Control") return r;
  }
  r.AddHeader("Cache-Control", "no-store");
  return r;
}

// Wraps a handler that needs a signed-in caller allowed to do `op`. The role is checked before the
// handler reads the request, so that a forbidden role gets 403 whatever its body holds; the service
// checks it again, with jurisdiction, in the use case.
Handler Authed(HerdService& service, Operation op, AuthedHandler handler) {
  return [&service, op, handler = std::move(handler)](Request& req) {
    auto caller = service.Authenticate(req.BearerToken(), req.remote_address);
    if (!caller.ok()) return NoStore(ProblemFromStatus(caller.status()));
    if (Status s = Permit(caller.value(), op); !s.ok()) return NoStore(ProblemFromStatus(s));
    return NoStore(handler(req, caller.value()));
  };
}

Response JsonText(int status, std::string body) {
  return Text(status, std::move(body), std::string(kJsonContentType));
}

// A failed registration; a 409 carries the existing record's id when the caller may know it
// (DESIGN.md section 7: `409 {id}`).
Response RegistrationProblem(const Status& s) {
  if (s.code() == StatusCode::kAlreadyExists && !s.detail().empty()) {
    return ProblemFromStatus(s, {{"id", std::stoll(s.detail())}});
  }
  return ProblemFromStatus(s);
}

Result<json> JsonObjectBody(const Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return body;
  HP_RETURN_IF_ERROR(RequireObject(body.value()));
  return body;
}

// A query parameter as an integer; kInvalidArgument naming it when it is not one.
Result<std::optional<int64_t>> QueryInt(const Request& req, std::string_view name) {
  std::string_view text = req.Query(name);
  if (text.empty()) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(std::string(name), std::string(name) + " must be an integer");
  }
  return std::optional<int64_t>(v);
}

// A '+' typed unencoded in a query string ("?phone=+7701...") arrives decoded as a space; a phone
// number never starts with a space, so read it back as the '+' the user meant.
std::string PhoneQuery(const Request& req) {
  std::string phone(req.Query("phone"));
  if (!phone.empty() && phone.front() == ' ') phone.front() = '+';
  return phone;
}

Response Login(HerdService& service, Request& req) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  FieldReader f(body.value(), "");
  std::string username = f.String("username");
  std::string password = f.String("password");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  auto r = service.Login(username, password, req.remote_address);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, LoginJson(r.value()));
}

Response Logout(HerdService& service, Request& req, const Caller& caller) {
  Status s = service.Logout(req.BearerToken(), caller);
  if (!s.ok()) return ProblemFromStatus(s);
  return Response{204, "", "", {}};
}

Response Me(const Caller& caller) {
  return Json(200, {{"id", caller.user_id},
                    {"username", caller.username},
                    {"role", caller.role ? RoleName(*caller.role) : ""},
                    {"authority", caller.authority}});
}

Response CreateOwner(HerdService& service, Request& req, const Caller& caller) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  FieldReader f(body.value(), "");
  OwnerInput in;
  in.phone = f.String("phone");
  in.name = f.String("name");
  in.village = f.String("village");
  in.authority = f.String("authority");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  auto r = service.RegisterOwner(caller, in);
  if (!r.ok()) return RegistrationProblem(r.status());
  return JsonText(201, OwnerJson(r.value()));
}

Response FindOwner(HerdService& service, Request& req, const Caller& caller) {
  const std::string phone = PhoneQuery(req);
  if (phone.empty()) return ProblemFromStatus(InvalidArgument("phone", "phone is required"));
  auto r = service.FindOwnerByPhone(caller, phone);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, OwnerJson(r.value()));
}

Response CreateAnimal(HerdService& service, Request& req, const Caller& caller) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  FieldReader f(body.value(), "");
  AnimalInput in;
  in.tag = f.String("tag");
  in.species = f.String("species");
  in.owner_id = f.Integer("owner_id").value_or(0);
  in.sex = f.String("sex");
  in.birth_date = f.String("birth_date");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  if (in.tag.empty()) return ProblemFromStatus(InvalidArgument("tag", "tag is required"));
  auto r = service.RegisterAnimal(caller, in);
  if (!r.ok()) return RegistrationProblem(r.status());
  return JsonText(201, AnimalJson(r.value()));
}

Response GetAnimal(HerdService& service, Request& req, const Caller& caller) {
  auto r = service.GetAnimal(caller, PercentDecode(req.Param("tag"), false));
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, AnimalViewJson(r.value(), service.catalogue()));
}

Response RecordBatch(HerdService& service, Request& req, const Caller& caller) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  auto records = ParseBatch(body.value());
  if (!records.ok()) return ProblemFromStatus(records.status());
  auto r = service.RecordBatch(caller, records.value());
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, BatchSummaryJson(r.value()));
}

Response VoidVaccination(HerdService& service, Request& req, const Caller& caller) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  FieldReader f(body.value(), "");
  std::string reason = f.String("reason");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  const std::string id = PercentDecode(req.Param("id"), false);
  Status s = service.VoidVaccination(caller, id, reason);
  if (!s.ok()) return ProblemFromStatus(s);
  return Json(200, {{"id", id}, {"voided", true}, {"reason", reason}});
}

Response Lookup(HerdService& service, Request& req, const Caller& caller) {
  const std::string phone = PhoneQuery(req);
  if (phone.empty()) return ProblemFromStatus(InvalidArgument("phone", "phone is required"));
  auto years = QueryInt(req, "years");
  if (!years.ok()) return ProblemFromStatus(years.status());
  std::optional<int> y;
  if (years.value()) {
    // Saturated into an int; the service says which range is allowed.
    y = static_cast<int>(std::clamp<int64_t>(*years.value(), INT32_MIN, INT32_MAX));
  }
  auto r = service.Lookup(caller, phone, y);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, LookupJson(r.value(), service.catalogue()));
}

Response ListAudit(HerdService& service, Request& req, const Caller& caller) {
  AuditQuery q;
  auto after = QueryInt(req, "after");
  auto limit = QueryInt(req, "limit");
  auto user = QueryInt(req, "user_id");
  for (const auto* r : {&after, &limit, &user}) {
    if (!r->ok()) return ProblemFromStatus(r->status());
  }
  q.after_seq = after.value().value_or(0);
  q.limit = static_cast<int>(std::clamp<int64_t>(limit.value().value_or(100), -1, 100000));
  q.user_id = user.value().value_or(0);
  q.action = std::string(req.Query("action"));
  for (auto [name, slot] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    std::string_view text = req.Query(name);
    if (text.empty()) continue;
    auto t = ParseRfc3339(text, name);
    if (!t.ok()) return ProblemFromStatus(t.status());
    *slot = t.value();
  }
  auto rows = service.ListAudit(caller, q);
  if (!rows.ok()) return ProblemFromStatus(rows.status());
  std::optional<int64_t> next;
  if (!rows->empty() && static_cast<int>(rows->size()) == q.limit) next = rows->back().seq;
  return JsonText(200, AuditPageJson(rows.value(), next));
}

// --- reports (W11) ---

Response CoverageReport(HerdService& service, Request& req, const Caller& caller) {
  CoverageRequest in;
  in.region = std::string(req.Query("region"));
  in.disease = std::string(req.Query("disease"));
  in.species = std::string(req.Query("species"));
  in.from = std::string(req.Query("from"));
  in.to = std::string(req.Query("to"));
  auto r = service.ReportCoverage(caller, in);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, CoverageJson(r.value()));
}

// --- certificates (W3-W6) ---

std::string CertificateId(const Request& req) { return PercentDecode(req.Param("id"), false); }

Response IssueCertificate(HerdService& service, Request& req, const Caller& caller) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  auto request = ParseCertificateRequest(body.value());
  if (!request.ok()) return ProblemFromStatus(request.status());
  std::vector<RuleFailure> failures;
  auto r = service.IssueCertificate(caller, request.value(), &failures);
  if (!r.ok()) {
    // 422 lists every unmet rule for every animal, so that the vet can fix them all at once.
    if (r.status().code() == StatusCode::kUnprocessable) {
      return ProblemFromStatus(r.status(), {{"failures", RuleFailuresJson(failures)}});
    }
    return ProblemFromStatus(r.status());
  }
  Response res = JsonText(201, CertificateJson(r.value(), service.clock().Now()));
  res.AddHeader("Location", "/api/v1/certificates/" + r->id);
  return res;
}

Response ListCertificates(HerdService& service, Request& req, const Caller& caller) {
  CertificateListRequest in;
  auto owner = QueryInt(req, "owner_id");
  if (!owner.ok()) return ProblemFromStatus(owner.status());
  auto limit = QueryInt(req, "limit");
  if (!limit.ok()) return ProblemFromStatus(limit.status());
  in.owner_id = owner.value();
  in.limit = limit.value();
  in.status = std::string(req.Query("status"));
  in.cursor = std::string(req.Query("cursor"));
  auto r = service.ListCertificates(caller, in);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, CertificatePageJson(r.value(), service.clock().Now()));
}

Response GetCertificate(HerdService& service, Request& req, const Caller& caller) {
  auto r = service.GetCertificate(caller, CertificateId(req));
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, CertificateJson(r.value(), service.clock().Now()));
}

// The QR code of a certificate, as SVG or PNG. The image is a pure function of the signed text,
// which never changes: the client may keep it.
Response CertificateQr(HerdService& service, Request& req, const Caller& caller, bool png) {
  auto image = CertificateQrImage(service, caller, CertificateId(req),
                                  png ? QrImageFormat::kPng : QrImageFormat::kSvg);
  if (!image.ok()) return ProblemFromStatus(image.status());
  Response res = Text(200, std::move(image).value(), png ? "image/png" : "image/svg+xml");
  res.AddHeader("Cache-Control", "private, max-age=86400");
  return res;
}

// The printable page, in the language of ?lang= or else of Accept-Language.
Response PrintCertificate(HerdService& service, Request& req, const Caller& caller) {
  const std::string_view asked = req.Query("lang");
  const Timestamp now = service.clock().Now();
  auto page = CertificatePrintPage(
      service, caller, CertificateId(req), asked.empty() ? req.Header("Accept-Language") : asked,
      [now](const Certificate& c) { return std::string(CertificateStatusAt(c, now)); });
  if (!page.ok()) return ProblemFromStatus(page.status());
  Response res = Text(200, std::move(page->html), "text/html; charset=utf-8");
  res.AddHeader("Content-Language", page->language);
  res.AddHeader("Vary", "Accept-Language");
  // The page runs nothing and loads nothing: only its own style block is allowed.
  res.AddHeader("Content-Security-Policy", page->content_security_policy);
  return res;
}

// A second use answers 409 with when, where and by whom the certificate was first used; the
// service passes that as JSON in the Status detail.
Response ConsumeProblem(const Status& s) {
  if (s.code() == StatusCode::kAlreadyExists && !s.detail().empty()) {
    const json detail = json::parse(s.detail(), nullptr, /*allow_exceptions=*/false);
    if (detail.is_object()) {
      json first = {
          {"at", detail.contains("at") ? detail["at"] : detail.value("consumed_at", json())},
          {"place", detail.value("place", json())},
          {"by", detail.value("by", json())}};
      return ProblemFromStatus(Status(s.code(), s.message(), s.field()),
                               {{"first_consumed", std::move(first)}});
    }
  }
  return ProblemFromStatus(s);
}

Response ConsumeCertificate(HerdService& service, Request& req, const Caller& caller) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  if (Status s = RejectUnknownMembers(body.value(), {"place"}); !s.ok()) {
    return ProblemFromStatus(s);
  }
  FieldReader f(body.value(), "");
  std::string place = f.String("place");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  auto r = service.ConsumeCertificate(caller, CertificateId(req), place);
  if (!r.ok()) return ConsumeProblem(r.status());
  return JsonText(200, CertificateJson(r.value(), service.clock().Now()));
}

Response RevokeCertificate(HerdService& service, Request& req, const Caller& caller) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  if (Status s = RejectUnknownMembers(body.value(), {"reason"}); !s.ok()) {
    return ProblemFromStatus(s);
  }
  FieldReader f(body.value(), "");
  std::string reason = f.String("reason");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  auto r = service.RevokeCertificate(caller, CertificateId(req), reason);
  if (!r.ok()) return ProblemFromStatus(r.status());
  return JsonText(200, CertificateJson(r.value(), service.clock().Now()));
}

// W4, public: anyone with the QR code's text; the answer holds no personal data.
Response Verify(HerdService& service, Request& req) {
  auto body = JsonObjectBody(req);
  if (!body.ok()) return ProblemFromStatus(body.status());
  if (Status s = RejectUnknownMembers(body.value(), {"hp1"}); !s.ok()) return ProblemFromStatus(s);
  FieldReader f(body.value(), "");
  std::string hp1 = f.String("hp1");
  if (!f.status().ok()) return ProblemFromStatus(f.status());
  if (hp1.empty()) return ProblemFromStatus(InvalidArgument("hp1", "hp1 is required"));
  Caller anyone;
  anyone.address = req.remote_address;
  return JsonText(200, VerifyResultJson(service.Verify(anyone, hp1)));
}

// A signed document for offline verifiers, served as the service keeps it. Caches may hold it for
// `max_age_seconds`: the trust list changes rarely, the revocation list should reach verifiers
// soon.
Response SignedDocument(Result<std::string> document, int max_age_seconds) {
  if (!document.ok()) return ProblemFromStatus(document.status());
  Response res = Text(200, std::move(document).value(), std::string(kJsonContentType));
  res.AddHeader("Cache-Control", "public, max-age=" + std::to_string(max_age_seconds));
  return res;
}

// The root public keys a verifier pins on first use (the operator's pin, given out of band, stays
// the strong form). Cached as briefly as the trust list: a new root shows within minutes.
Response TrustRoot(HerdService& service) {
  auto r = service.TrustRootKeys();
  if (!r.ok()) return ProblemFromStatus(r.status());
  Response res = JsonText(200, TrustRootJson(r.value()));
  res.AddHeader("Cache-Control", "public, max-age=300");
  return res;
}

Response Catalogue(const HerdService& service) {
  return JsonText(200, CatalogueJson(service.catalogue()));
}

}  // namespace

void RegisterApiRoutes(Router& router, HerdService& service, MetricsRegistry& metrics) {
  auto& s = service;
  auto authed = [&s](Operation op, auto fn) {
    return Authed(s, op, [&s, fn](Request& req, const Caller& c) { return fn(s, req, c); });
  };
  router.Add("POST", "/api/v1/auth/login", [&s](Request& req) { return NoStore(Login(s, req)); });
  router.Add("POST", "/api/v1/auth/logout", authed(Operation::kSignedIn, Logout));
  router.Add("GET", "/api/v1/auth/me",
             Authed(s, Operation::kSignedIn, [](Request&, const Caller& c) { return Me(c); }));
  router.Add("POST", "/api/v1/owners", authed(Operation::kRegisterOwner, CreateOwner));
  router.Add("GET", "/api/v1/owners", authed(Operation::kReadOwner, FindOwner));
  router.Add("POST", "/api/v1/animals", authed(Operation::kRegisterAnimal, CreateAnimal));
  router.Add("GET", "/api/v1/animals/{tag}", authed(Operation::kReadAnimal, GetAnimal));
  router.Add("POST", "/api/v1/vaccinations/batch",
             authed(Operation::kRecordVaccinations, RecordBatch));
  router.Add("POST", "/api/v1/vaccinations/{id}/void",
             authed(Operation::kVoidVaccination, VoidVaccination));
  router.Add("GET", "/api/v1/lookup", authed(Operation::kLookup, Lookup));
  router.Add("GET", "/api/v1/audit", authed(Operation::kReadAudit, ListAudit));
  router.Add("GET", "/api/v1/reports/coverage", authed(Operation::kReadReports, CoverageReport));
  router.Add("POST", "/api/v1/certificates",
             authed(Operation::kIssueCertificate, IssueCertificate));
  router.Add("GET", "/api/v1/certificates", authed(Operation::kReadCertificate, ListCertificates));
  router.Add("GET", "/api/v1/certificates/{id}",
             authed(Operation::kReadCertificate, GetCertificate));
  router.Add(
      "GET", "/api/v1/certificates/{id}/qr.svg",
      authed(Operation::kReadCertificate, [](HerdService& sv, Request& req, const Caller& c) {
        return CertificateQr(sv, req, c, /*png=*/false);
      }));
  router.Add(
      "GET", "/api/v1/certificates/{id}/qr.png",
      authed(Operation::kReadCertificate, [](HerdService& sv, Request& req, const Caller& c) {
        return CertificateQr(sv, req, c, /*png=*/true);
      }));
  router.Add("GET", "/api/v1/certificates/{id}/print",
             authed(Operation::kReadCertificate, PrintCertificate));
  router.Add("POST", "/api/v1/certificates/{id}/consume",
             authed(Operation::kConsumeCertificate, ConsumeCertificate));
  router.Add("POST", "/api/v1/certificates/{id}/revoke",
             authed(Operation::kRevokeCertificate, RevokeCertificate));
  router.Add("POST", "/api/v1/verify", [&s](Request& req) { return Verify(s, req); });
  router.Add("GET", "/api/v1/trust-list",
             [&s](Request&) { return SignedDocument(s.TrustListDocument(), 300); });
  router.Add("GET", "/api/v1/trust-root", [&s](Request&) { return TrustRoot(s); });
  router.Add("GET", "/api/v1/revocations",
             [&s](Request&) { return SignedDocument(s.RevocationListDocument(), 60); });
  router.Add("GET", "/api/v1/catalogue", [&s](Request&) { return Catalogue(s); });
  router.Add("GET", "/api/v1/openapi.json", [](Request&) {
    return Text(200, std::string(OpenApiDocument()), "application/json");
  });
  router.Add("GET", "/healthz", [](Request&) { return Json(200, {{"status", "ok"}}); });
  router.Add("GET", "/metrics", [&metrics](Request&) {
    return Text(200, metrics.Render(), std::string(kPrometheusContentType));
  });
}

}  // namespace herdpass::http
