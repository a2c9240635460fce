#include "http/routes/api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "http/request.h"
#include "http/response.h"
#include "http/routes/json_mapping.h"

namespace herdpass::http {
namespace {

using nlohmann::json;
using AuthedHandler = std::function<Response(Request&, const Caller&)>;

// Wraps a handler that needs a signed-in caller.
// Wraps a handler that needs a signed-in caller allowed to do `op`. The role is checked before the
// handler reads the request, so that a forbidden role gets 403 whatever its body holds; the service
// checks it again, with jurisdiction, in the use case.
Handler Authed(HerdService& service, Operation op, AuthedHandler handler) {
  return [&service, op, handler = std::move(handler)](Request& req) {
    auto caller = service.Authenticate(req.BearerToken(), req.remote_address);
    if (!caller.ok()) return ProblemFromStatus(caller.status());
    if (Status s = Permit(caller.value(), op); !s.ok()) return ProblemFromStatus(s);
    return handler(req, caller.value());
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

Response Catalogue(const HerdService& service) {
  return JsonText(200, CatalogueJson(service.catalogue()));
}

constexpr std::string_view kIndexPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HerdPass</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.5">
<h1>HerdPass</h1>
<p>Livestock vaccination records and electronic quarantine certificates. This server offers a JSON
API under <code>/api/v1</code>; the web app will be served here.</p>
<ul>
<li><code>POST /api/v1/auth/login</code> {username, password} gives a bearer token</li>
<li><code>POST /api/v1/vaccinations/batch</code> records vaccinations (vaccinator, vet)</li>
<li><code>GET /api/v1/lookup?phone=...</code> three years of an owner's vaccinations and coverage
(inspector, vet)</li>
<li><code>GET /api/v1/openapi.json</code> describes every route</li>
<li><code>GET /healthz</code>, <code>GET /metrics</code></li>
</ul></body></html>
)";

}  // namespace

void RegisterApiRoutes(Router& router, HerdService& service, MetricsRegistry& metrics) {
  auto& s = service;
  auto authed = [&s](Operation op, auto fn) {
    return Authed(s, op, [&s, fn](Request& req, const Caller& c) { return fn(s, req, c); });
  };
  router.Add("POST", "/api/v1/auth/login", [&s](Request& req) { return Login(s, req); });
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
  router.Add("GET", "/api/v1/catalogue", [&s](Request&) { return Catalogue(s); });
  router.Add("GET", "/api/v1/openapi.json", [](Request&) {
    return Text(200, std::string(OpenApiDocument()), "application/json");
  });
  router.Add("GET", "/healthz", [](Request&) { return Json(200, {{"status", "ok"}}); });
  router.Add("GET", "/metrics", [&metrics](Request&) {
    return Text(200, metrics.Render(), std::string(kPrometheusContentType));
  });
  router.Add("GET", "/", [](Request&) {
    return Text(200, std::string(kIndexPage), "text/html; charset=utf-8");
  });
}

}  // namespace herdpass::http
