#include "http/routes/api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "http/charset.h"
#include "http/client_address.h"
#include "http/compression.h"
#include "http/request.h"
#include "http/response.h"
#include "http/routes/json_mapping.h"
#include "service/certificate_documents.h"

namespace herdpass::http {
namespace {

using nlohmann::json;
using AuthedHandler = std::function<Response(Request&, const Caller&)>;
// A handler's answer, or the Status it failed with: ToResponse answers that with ApiProblem.
using Answer = Result<Response>;

Response ToResponse(Response r) { return r; }
Response ToResponse(Answer a) { return a.ok() ? std::move(a).value() : ApiProblem(a.status()); }

// What a signed-in caller is answered names people, phone numbers and tokens: no cache keeps it
// (Cache-Control: no-store), unless the handler chose otherwise for data that holds none.
Response NoStore(Response r) {
  if (r.deferred) return ThenSend(std::move(r), NoStore);
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
    if (!caller.ok()) return NoStore(ApiProblem(caller.status()));
    if (Status s = Permit(caller.value(), op); !s.ok()) return NoStore(ApiProblem(s));
    return NoStore(handler(req, caller.value()));
  };
}

// Wraps a handler of the owner's own routes (/me, issue 15 item 4): only an owner's session opens
// them; a user's token is no owner's session (401), as an owner's is no user's token elsewhere.
using OwnerHandler = std::function<Response(Request&, const OwnerCaller&)>;
Handler OwnerAuthed(HerdService& service, OwnerHandler handler) {
  return [&service, handler = std::move(handler)](Request& req) {
    auto owner = service.AuthenticateOwner(req.BearerToken(), req.remote_address);
    if (!owner.ok()) return NoStore(ApiProblem(owner.status()));
    return NoStore(handler(req, owner.value()));
  };
}

Response JsonText(int status, std::string body) {
  return Text(status, std::move(body), std::string(kJsonContentType));
}

Result<json> JsonObjectBody(const Request& req) {
  HP_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  HP_RETURN_IF_ERROR(RequireObject(body));
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

Answer Login(HerdService& service, Request& req) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string username = f.String("username");
  std::string password = f.String("password");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const LoginResult r, service.Login(username, password, req.remote_address));
  return JsonText(200, LoginJson(r));
}

Answer Logout(HerdService& service, Request& req, const Caller& caller) {
  HP_RETURN_IF_ERROR(service.Logout(req.BearerToken(), caller));
  return Response{204, "", "", {}, {}};
}

Response Me(const Caller& caller) {
  return Json(200, {{"id", caller.user_id},
                    {"username", caller.username},
                    {"role", caller.role ? RoleName(*caller.role) : ""},
                    {"authority", caller.authority}});
}

// A 409 carries the existing record's id when the caller may know it (DESIGN.md section 7:
// `409 {id}`): an ExistingRecord payload, answered by ApiProblem.
Answer CreateOwner(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  OwnerInput in;
  in.phone = f.String("phone");
  in.name = f.String("name");
  in.village = f.String("village");
  in.authority = f.String("authority");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Owner owner, service.RegisterOwner(caller, in));
  return JsonText(201, OwnerJson(owner));
}

Answer FindOwner(HerdService& service, Request& req, const Caller& caller) {
  const std::string phone = PhoneQuery(req);
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(const Owner owner, service.FindOwnerByPhone(caller, phone));
  return JsonText(200, OwnerJson(owner));
}

// W12: {owner, flocks: [animal, ...]}, each flock as GET /animals/{tag} shows an animal.
Answer ListFlocks(HerdService& service, Request& req, const Caller& caller) {
  const std::string phone = PhoneQuery(req);
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(const OwnerFlocks found, service.ListOwnerFlocks(caller, phone));
  std::string body = "{\"owner\":" + OwnerJson(found.owner) + ",\"flocks\":[";
  for (size_t i = 0; i < found.flocks.size(); ++i) {
    if (i > 0) body += ',';
    body += AnimalJson(found.flocks[i], found.holdings);
  }
  body += "]}";
  return JsonText(200, std::move(body));
}

Answer CreateAnimal(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  AnimalInput in;
  in.tag = f.String("tag");
  in.species = f.String("species");
  in.owner_id = f.Integer("owner_id").value_or(0);
  in.sex = f.String("sex");
  in.birth_date = f.String("birth_date");
  in.holding = f.Integer("holding");
  HP_RETURN_IF_ERROR(f.Done());
  if (in.tag.empty()) return InvalidArgument("tag", "tag is required");
  HP_ASSIGN_OR_RETURN(const Animal animal, service.RegisterAnimal(caller, in));
  // The answer names the holding as GET /animals/{tag} does: its id, code, name and kind.
  std::vector<Holding> holdings;
  if (animal.holding_id) {
    HP_ASSIGN_OR_RETURN(Holding h, service.GetHolding(caller, *animal.holding_id));
    holdings.push_back(std::move(h));
  }
  return JsonText(201, AnimalJson(animal, holdings));
}

// --- holdings (W12) ---

Answer CreateHolding(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  HoldingInput in;
  in.code = f.String("code");
  in.kind = f.String("kind");
  in.name = f.String("name");
  in.authority = f.String("authority");
  in.owner_id = f.Integer("owner_id");
  in.owner_phone = f.String("owner_phone");
  in.lat = f.Number("lat");
  in.lon = f.Number("lon");
  in.opened_on = f.String("opened_on");
  in.closed_on = f.String("closed_on");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Holding h, service.CreateHolding(caller, in));
  Response res = JsonText(201, HoldingJson(h));
  res.AddHeader("Location", "/api/v1/holdings/" + std::to_string(h.id));
  return res;
}

Answer ListHoldings(HerdService& service, Request& req, const Caller& caller) {
  HoldingListRequest in;
  in.authority = std::string(req.Query("authority"));
  in.kind = std::string(req.Query("kind"));
  in.near = std::string(req.Query("near"));
  in.cursor = std::string(req.Query("cursor"));
  HP_ASSIGN_OR_RETURN(in.limit, QueryInt(req, "limit"));
  if (std::string_view r = req.Query("radius_km"); !r.empty()) {
    double km = 0;
    auto [end, ec] = std::from_chars(r.data(), r.data() + r.size(), km);
    if (ec != std::errc() || end != r.data() + r.size()) {
      return InvalidArgument("radius_km", "radius_km must be a number");
    }
    in.radius_km = km;
  }
  HP_ASSIGN_OR_RETURN(const HoldingPage page, service.ListHoldings(caller, in));
  return JsonText(200, HoldingPageJson(page));
}

Answer GetHolding(HerdService& service, Request& req, const Caller& caller) {
  const std::string text = PercentDecode(req.Param("id"), false);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return NotFound("no holding with this id in your jurisdiction");
  }
  HP_ASSIGN_OR_RETURN(const Holding h, service.GetHolding(caller, id));
  return JsonText(200, HoldingJson(h));
}

Answer GetAnimal(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const AnimalView view,
                      service.GetAnimal(caller, PercentDecode(req.Param("tag"), false)));
  return JsonText(200, AnimalViewJson(view, service.catalogue()));
}

// W12: the body of an animal's or a flock's event.
Result<AnimalEventRequest> ParseAnimalEvent(const Request& req) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  AnimalEventRequest in;
  in.id = f.String("id");
  in.kind = f.String("kind");
  in.date = f.String("date");
  in.reason = f.String("reason");
  in.new_tag = f.String("new_tag");
  in.head = f.Integer("head");
  HP_RETURN_IF_ERROR(f.Done());
  return in;
}

// 201 for a new event, 200 for one stored before (the device sent it again).
Response AnimalEventAnswer(const AnimalEventResult& r) {
  return JsonText(r.duplicate ? 200 : 201, AnimalEventJson(r));
}

Answer RecordAnimalEvent(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const AnimalEventRequest in, ParseAnimalEvent(req));
  HP_ASSIGN_OR_RETURN(
      const AnimalEventResult r,
      service.RecordAnimalEvent(caller, PercentDecode(req.Param("tag"), false), in));
  return AnimalEventAnswer(r);
}

Answer RecordFlockEvent(HerdService& service, Request& req, const Caller& caller) {
  const std::string id_text = PercentDecode(req.Param("id"), false);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0) {
    return NotFound("no flock with this id in your jurisdiction");
  }
  HP_ASSIGN_OR_RETURN(const AnimalEventRequest in, ParseAnimalEvent(req));
  HP_ASSIGN_OR_RETURN(const AnimalEventResult r, service.RecordFlockEvent(caller, id, in));
  return AnimalEventAnswer(r);
}

// W12: an animal's timeline by any tag it wore; a flock's by its id.
Answer AnimalTimeline(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const herdpass::AnimalTimeline t,
                      service.AnimalTimelineByTag(caller, PercentDecode(req.Param("tag"), false)));
  return JsonText(200, TimelineJson(t, service.clock().Now()));
}

Answer FlockTimeline(HerdService& service, Request& req, const Caller& caller) {
  const std::string id_text = PercentDecode(req.Param("id"), false);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0) {
    return NotFound("no flock with this id");
  }
  HP_ASSIGN_OR_RETURN(const herdpass::AnimalTimeline t, service.FlockTimeline(caller, id));
  return JsonText(200, TimelineJson(t, service.clock().Now()));
}

// W8: a sale at the farm; 201 for a new transfer, 200 for one stored before.
Answer RecordTransfer(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  HP_ASSIGN_OR_RETURN(const TransferRequest in, ParseTransferRequest(body));
  HP_ASSIGN_OR_RETURN(const TransferResult r, service.RecordTransfer(caller, in));
  return JsonText(r.duplicate ? 200 : 201, TransferJson(r));
}

Answer RecordBatch(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, ParseJsonBody(req));
  HP_ASSIGN_OR_RETURN(const auto records, ParseBatch(body));
  HP_ASSIGN_OR_RETURN(const BatchSummary summary, service.RecordBatch(caller, records));
  return JsonText(200, BatchSummaryJson(summary));
}

Answer VoidVaccination(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string reason = f.String("reason");
  HP_RETURN_IF_ERROR(f.Done());
  const std::string id = PercentDecode(req.Param("id"), false);
  HP_RETURN_IF_ERROR(service.VoidVaccination(caller, id, reason));
  return Json(200, {{"id", id}, {"voided", true}, {"reason", reason}});
}

// W2's answer as sent: gzip-encoded when the client accepts it and it was kept so.
Answer LookupResponse(const Result<std::shared_ptr<const EncodedLookup>>& kept, bool gzip) {
  if (!kept.ok()) return kept.status();
  const EncodedLookup& answer = **kept;
  if (!answer.gzip) return JsonText(200, answer.body);
  if (gzip) {
    Response res = JsonText(200, answer.body);
    res.AddHeader("Content-Encoding", "gzip");
    res.AddHeader("Vary", "Accept-Encoding");
    return res;
  }
  // A client that takes no gzip (the server adds the Vary header to this one).
  std::string text;
  if (GunzipLimited(answer.body, std::numeric_limits<size_t>::max(), text) != GunzipResult::kOk) {
    return Internal("the kept lookup answer does not inflate");
  }
  return JsonText(200, std::move(text));
}

Answer Lookup(HerdService& service, Request& req, const Caller& caller) {
  const std::string phone = PhoneQuery(req);
  if (phone.empty()) return InvalidArgument("phone", "phone is required");
  HP_ASSIGN_OR_RETURN(const std::optional<int64_t> years, QueryInt(req, "years"));
  std::optional<int> y;
  if (years) {
    // Saturated into an int; the service says which range is allowed.
    y = static_cast<int>(std::clamp<int64_t>(*years, INT32_MIN, INT32_MAX));
  }
  // A kept answer is encoded and compressed once, then kept by the service's answer cache until
  // the owner changes (HerdService::LookupEncoded): so compressed at the highest level, for every
  // client to come. One made for this client alone is sent as it is: compressed by the server at
  // its usual level when the client takes gzip, never compressed and inflated again when not.
  auto encode = [&service](const LookupResult& r, bool kept) {
    constexpr int kLookupGzipLevel = 9;
    EncodedLookup e{LookupJson(r, service.catalogue()), false};
    if (kept && e.body.size() >= kCompressMinBytes) {
      std::string gz = Gzip(e.body, kLookupGzipLevel);
      if (!gz.empty() && gz.size() < e.body.size()) e = {std::move(gz), true};
    }
    return e;
  };
  // A client that takes no gzip gets the kept answer inflated, here: not on the store's writer
  // thread, where a deferred answer is completed.
  if (!AcceptsGzip(req.Header("Accept-Encoding"))) {
    return LookupResponse(service.LookupEncoded(caller, phone, y, encode), false);
  }
  // Deferred: a kept answer is sent once its audit row is committed, and no handler thread waits
  // for that meanwhile (HerdService::LookupEncodedThen).
  Response deferred;
  deferred.deferred = [&service, caller, phone, y, encode](Response::Send send) {
    service.LookupEncodedThen(
        caller, phone, y, encode,
        [send = std::move(send)](Result<std::shared_ptr<const EncodedLookup>> answer) {
          send(ToResponse(LookupResponse(answer, true)));
        });
  };
  return deferred;
}

// W10: the field copy as NDJSON (application/x-ndjson), one row a line and a last line of type
// "end" with the cursor and the counts. It is compressed as it is made when the client accepts
// gzip, so that only the compressed copy is held (about a tenth of the text), never the rows as
// objects nor the whole text.
class NdjsonCopy final : public FieldCopySink {
 public:
  NdjsonCopy(bool gzip, Timestamp now) : now_(now) {
    if (gzip) gzip_.emplace(kFieldCopyGzipLevel);
  }
  Status OnOwner(const Owner& o) override { return Put(FieldCopyOwnerLine(o)); }
  Status OnAnimal(const Animal& a) override { return Put(FieldCopyAnimalLine(a)); }
  Status OnVaccination(const Vaccination& v) override { return Put(FieldCopyVaccinationLine(v)); }
  Status OnCertificate(const Certificate& c) override {
    return Put(FieldCopyCertificateLine(c, now_));
  }
  Status OnAnimalGone(int64_t animal_id, int64_t owner_id) override {
    return Put(FieldCopyAnimalGoneLine(animal_id, owner_id));
  }
  Status Put(const std::string& line) {
    if (!gzip_) {
      text_ += line;
      return Status::Ok();
    }
    if (!gzip_->Append(line)) return Internal("gzip of the field copy failed");
    return Status::Ok();
  }
  Result<Response> Finish() {
    Response r = Text(200, "", "application/x-ndjson");
    if (!gzip_) {  // the server adds Vary (and compresses nothing: the client refused gzip)
      r.body = std::move(text_);
      return r;
    }
    r.body = gzip_->Finish();
    if (r.body.empty()) return Internal("gzip of the field copy failed");
    // Already encoded: the server leaves it as it is, Vary included.
    r.AddHeader("Content-Encoding", "gzip");
    r.AddHeader("Vary", "Accept-Encoding");
    return r;
  }

 private:
  static constexpr int kFieldCopyGzipLevel = 6;
  Timestamp now_;
  std::optional<GzipStream> gzip_;
  std::string text_;
};

Answer FieldCopy(HerdService& service, Request& req, const Caller& caller) {
  FieldCopyRequest in;
  in.authority = std::string(req.Query("authority"));
  std::string_view owners = req.Query("owners");
  while (!owners.empty()) {
    const size_t comma = owners.find(',');
    std::string phone(owners.substr(0, comma));
    // As PhoneQuery: a '+' sent unencoded arrives as a space.
    if (!phone.empty() && phone.front() == ' ') phone.front() = '+';
    in.owners.push_back(std::move(phone));
    owners = comma == std::string_view::npos ? std::string_view() : owners.substr(comma + 1);
  }
  in.since = std::string(req.Query("since"));
  const Timestamp now = service.clock().Now();
  NdjsonCopy copy(AcceptsGzip(req.Header("Accept-Encoding")), now);
  HP_ASSIGN_OR_RETURN(const FieldCopySummary summary, service.TakeFieldCopy(caller, in, copy));
  HP_RETURN_IF_ERROR(copy.Put(FieldCopyEndLine(summary, !in.since.empty(), now)));
  return copy.Finish();
}

Answer ListAudit(HerdService& service, Request& req, const Caller& caller) {
  AuditQuery q;
  HP_ASSIGN_OR_RETURN(const std::optional<int64_t> after, QueryInt(req, "after"));
  HP_ASSIGN_OR_RETURN(const std::optional<int64_t> limit, QueryInt(req, "limit"));
  HP_ASSIGN_OR_RETURN(const std::optional<int64_t> user, QueryInt(req, "user_id"));
  q.after_seq = after.value_or(0);
  q.limit = static_cast<int>(std::clamp<int64_t>(limit.value_or(100), -1, 100000));
  q.user_id = user.value_or(0);
  q.action = std::string(req.Query("action"));
  for (auto [name, slot] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    std::string_view text = req.Query(name);
    if (text.empty()) continue;
    HP_ASSIGN_OR_RETURN(*slot, ParseRfc3339(text, name));
  }
  HP_ASSIGN_OR_RETURN(const std::vector<AuditRow> rows, service.ListAudit(caller, q));
  std::optional<int64_t> next;
  if (!rows.empty() && static_cast<int>(rows.size()) == q.limit) next = rows.back().seq;
  return JsonText(200, AuditPageJson(rows, next));
}

// --- reports (W11) ---

Answer CoverageReport(HerdService& service, Request& req, const Caller& caller) {
  CoverageRequest in;
  in.region = std::string(req.Query("region"));
  in.disease = std::string(req.Query("disease"));
  in.species = std::string(req.Query("species"));
  in.from = std::string(req.Query("from"));
  in.to = std::string(req.Query("to"));
  HP_ASSIGN_OR_RETURN(const CoverageAnswer r, service.ReportCoverage(caller, in));
  return JsonText(200, CoverageJson(r));
}

// --- due lists (W15) ---

// JSON, or CSV with format=csv (a file to save: named after the authority and the day).
Answer DueList(HerdService& service, Request& req, const Caller& caller) {
  DueRequest in;
  in.authority = std::string(req.Query("authority"));
  in.disease = std::string(req.Query("disease"));
  const std::string_view format = req.Query("format");
  if (!format.empty() && format != "json" && format != "csv") {
    return InvalidArgument("format", "format must be json or csv");
  }
  HP_ASSIGN_OR_RETURN(const std::optional<int64_t> days, QueryInt(req, "days"));
  if (days) in.days = static_cast<int>(std::clamp<int64_t>(*days, -1, 100000));
  HP_ASSIGN_OR_RETURN(const DueAnswer a, service.ListDue(caller, in));
  Response res = format == "csv" ? Text(200, DueCsv(a), "text/csv; charset=utf-8")
                                 : JsonText(200, DueJson(a, service.catalogue()));
  if (format == "csv") {
    res.AddHeader("Content-Disposition", "attachment; filename=\"due-" + a.authority + "-" +
                                             a.list.today.ToString() + ".csv\"");
  }
  // Names and phones: kept by no cache on the way.
  return NoStore(std::move(res));
}

// --- certificates (W3-W6) ---

std::string CertificateId(const Request& req) { return PercentDecode(req.Param("id"), false); }

// A 422 lists every unmet rule for every animal (an UnmetRules payload), so that the vet can fix
// them all at once.
Answer IssueCertificate(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, ParseJsonBody(req));
  HP_ASSIGN_OR_RETURN(const CertificateRequest request, ParseCertificateRequest(body));
  HP_ASSIGN_OR_RETURN(const Certificate c, service.IssueCertificate(caller, request));
  Response res = JsonText(201, CertificateJson(c, service.clock().Now()));
  res.AddHeader("Location", "/api/v1/certificates/" + c.id);
  return res;
}

Answer ListCertificates(HerdService& service, Request& req, const Caller& caller) {
  CertificateListRequest in;
  HP_ASSIGN_OR_RETURN(in.owner_id, QueryInt(req, "owner_id"));
  HP_ASSIGN_OR_RETURN(in.limit, QueryInt(req, "limit"));
  in.status = std::string(req.Query("status"));
  in.cursor = std::string(req.Query("cursor"));
  HP_ASSIGN_OR_RETURN(const CertificatePage page, service.ListCertificates(caller, in));
  return JsonText(200, CertificatePageJson(page, service.clock().Now()));
}

// W13: GET /movements/incoming (`incoming`) and GET /movements.
Answer ListMovements(HerdService& service, Request& req, const Caller& caller, bool incoming) {
  MovementListRequest in;
  HP_ASSIGN_OR_RETURN(in.limit, QueryInt(req, "limit"));
  in.status = std::string(req.Query("status"));
  in.cursor = std::string(req.Query("cursor"));
  HP_ASSIGN_OR_RETURN(const CertificatePage page, incoming
                                                      ? service.ListIncomingMovements(caller, in)
                                                      : service.ListMovements(caller, in));
  return JsonText(200, MovementPageJson(page, service.clock().Now()));
}

Answer GetCertificate(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const Certificate c, service.GetCertificate(caller, CertificateId(req)));
  return JsonText(200, CertificateJson(c, service.clock().Now()));
}

// The QR code of a certificate, as SVG or PNG. The image is a pure function of the signed text,
// which never changes: the client may keep it.
Response CertificateQr(HerdService& service, Request& req, const Caller& caller, bool png) {
  auto image = CertificateQrImage(service, caller, CertificateId(req),
                                  png ? QrImageFormat::kPng : QrImageFormat::kSvg);
  if (!image.ok()) return ApiProblem(image.status());
  Response res = Text(200, std::move(image).value(), png ? "image/png" : "image/svg+xml");
  res.AddHeader("Cache-Control", "private, max-age=86400");
  return res;
}

// The printable page, in the language of ?lang= or else of Accept-Language.
Response PrintCertificate(HerdService& service, Request& req, const Caller& caller) {
  const std::string_view asked = req.Query("lang");
  auto page = CertificatePrintPage(service, caller, CertificateId(req),
                                   asked.empty() ? req.Header("Accept-Language") : asked);
  if (!page.ok()) return ApiProblem(page.status());
  Response res = Text(200, std::move(page->html), "text/html; charset=utf-8");
  res.AddHeader("Content-Language", page->language);
  res.AddHeader("Vary", "Accept-Language");
  // The page runs nothing and loads nothing: only its own style block is allowed.
  res.AddHeader("Content-Security-Policy", page->content_security_policy);
  return res;
}

// A second use is recorded as a double use and answers 409 with both scans, naming when, where
// and by whom the certificate was first used (a DoubleUseRecorded payload, answered by
// ApiProblem). A scan sent again answers as the first time.
Answer ConsumeCertificate(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  ArrivalRequest arrival;
  arrival.place = f.String("place");
  arrival.holding = f.Integer("holding");
  arrival.head_count = f.Integer("head_count");
  if (body.contains("tags")) arrival.tags = f.StringList("tags");
  arrival.id = f.String("id");
  arrival.at = f.String("at");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const CertificateUseAnswer used,
                      service.UseCertificate(caller, CertificateId(req), arrival));
  return JsonText(200, CertificateUseAnswerJson(used, service.clock().Now()));
}

// Issue 14 item 5: the certificates used twice that the caller may see, with every use.
Answer ListDoubleUses(HerdService& service, Request& req, const Caller& caller) {
  DoubleUseListRequest in;
  HP_ASSIGN_OR_RETURN(in.limit, QueryInt(req, "limit"));
  in.cursor = std::string(req.Query("cursor"));
  HP_ASSIGN_OR_RETURN(const DoubleUsePage page, service.ListDoubleUses(caller, in));
  return JsonText(200, DoubleUsePageJson(page, service.clock().Now()));
}

// Issue 12 item 4: 201 for a new passage, 200 for one stored before (the device sent it again).
Answer RecordPassage(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  PassageRequest in;
  in.id = f.String("id");
  in.holding = f.Integer("holding");
  in.at = f.String("at");
  in.head_seen = f.Integer("head_seen");
  in.note = f.String("note");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const PassageView v, service.RecordPassage(caller, CertificateId(req), in));
  return JsonText(v.duplicate ? 200 : 201, PassageJson(v));
}

Answer ListPassages(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const auto items, service.ListPassages(caller, CertificateId(req)));
  return JsonText(200, PassageListJson(items));
}

Answer RevokeCertificate(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string reason = f.String("reason");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Certificate c,
                      service.RevokeCertificate(caller, CertificateId(req), reason));
  return JsonText(200, CertificateJson(c, service.clock().Now()));
}

// --- W14: outbreaks and zones ---

Answer ReportOutbreak(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  OutbreakReportRequest in;
  in.id = f.String("id");
  in.holding = f.Integer("holding");
  in.disease = f.String("disease");
  in.species = f.String("species");
  in.first_signs_on = f.String("first_signs_on");
  in.head_sick = f.Integer("head_sick");
  in.head_dead = f.Integer("head_dead");
  in.lat = f.Number("lat");
  in.lon = f.Number("lon");
  in.note = f.String("note");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const OutbreakResult r, service.ReportOutbreak(caller, in));
  return JsonText(r.duplicate ? 200 : 201, OutbreakJson(r.outbreak, r.duplicate));
}

Answer ListOutbreaks(HerdService& service, Request& req, const Caller& caller) {
  OutbreakListRequest in;
  in.authority = std::string(req.Query("authority"));
  in.status = std::string(req.Query("status"));
  HP_ASSIGN_OR_RETURN(in.limit, QueryInt(req, "limit"));
  HP_ASSIGN_OR_RETURN(const auto items, service.ListOutbreaks(caller, in));
  return JsonText(200, OutbreakListJson(items));
}

Answer ListSmsMessages(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const auto before, QueryInt(req, "before"));
  HP_ASSIGN_OR_RETURN(const auto limit, QueryInt(req, "limit"));
  HP_ASSIGN_OR_RETURN(const auto page, service.ListSmsMessages(caller, before.value_or(0), limit,
                                                               req.Query("status")));
  return JsonText(200, SmsListJson(page.messages, page.queued, page.gateway));
}

// --- owners in /me (issue 15 item 4) ---

// The same answer whether or not the phone is an owner's.
Answer RequestOwnerCode(HerdService& service, Request& req) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string phone = f.String("phone");
  HP_RETURN_IF_ERROR(f.Done());
  HP_RETURN_IF_ERROR(service.RequestOwnerCode(phone, req.remote_address));
  return Json(202, {{"accepted", true},
                    {"expires_in_seconds", std::chrono::seconds(kOwnerCodeValidFor).count()}});
}

Answer OwnerSignIn(HerdService& service, Request& req) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string phone = f.String("phone");
  std::string code = f.String("code");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const OwnerLoginResult r,
                      service.OwnerSignIn(phone, code, req.remote_address));
  return Json(200, {{"token", r.token}, {"expires_at", FormatRfc3339(r.expires_at)}});
}

Answer OwnerSignOut(HerdService& service, Request& req, const OwnerCaller& owner) {
  HP_RETURN_IF_ERROR(service.OwnerSignOut(req.BearerToken(), owner));
  return Response{204, "", "", {}, {}};
}

// PUT /me/language {language}: the owner's language for SMS from now on.
Answer OwnerSetLanguage(HerdService& service, Request& req, const OwnerCaller& owner) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string language = f.String("language");
  HP_RETURN_IF_ERROR(f.Done());
  HP_RETURN_IF_ERROR(service.OwnerSetLanguage(owner, language));
  return Json(200, {{"language", language}});
}

Answer OwnerRecordsAnswer(HerdService& service, const OwnerCaller& owner) {
  HP_ASSIGN_OR_RETURN(const OwnerRecords r, service.OwnerOwnRecords(owner));
  return JsonText(200, OwnerRecordsJson(r, service.catalogue(), service.clock().Now()));
}

Answer OwnerReadersAnswer(HerdService& service, const OwnerCaller& owner) {
  HP_ASSIGN_OR_RETURN(const auto readers, service.OwnerReaders(owner));
  return JsonText(200, OwnerReadersJson(readers));
}

// Kannel's delivery report (http/kannel_gateway.h): GET, as smsbox calls a dlr-url; the token in
// the URL stands for the caller.
Answer SmsDeliveryReport(HerdService& service, Request& req) {
  HP_ASSIGN_OR_RETURN(const auto id, QueryInt(req, "id"));
  HP_ASSIGN_OR_RETURN(const auto status, QueryInt(req, "status"));
  if (!id) return InvalidArgument("id", "id is required");
  if (!status || *status < 0 || *status > 255) {
    return InvalidArgument("status", "status must be Kannel's delivery report code");
  }
  HP_RETURN_IF_ERROR(
      service.RecordSmsDelivery(*id, static_cast<int>(*status), std::string(req.Query("token"))));
  return Response{204, "", "", {}, {}};
}

// An owner's message as smsbox's sms-service posts it (docs/sms.md): the text is the body, the
// rest Kannel's escapes in the configured URL. Only from the gateway's addresses; an owner's
// message is short, so a body of more than kMaxInboundSmsBytes is refused before anything is read.
constexpr size_t kMaxInboundSmsBytes = 2048;

// The owner's text as UTF-8. smsbox posts a message the phone sent as UCS-2 (Cyrillic, Arabic
// script, Chinese: every text outside GSM-7) as `text/plain; charset="UTF-16BE"` (unless its
// mo-recode is on), and the rest as UTF-8. Bytes that are no UTF-16 are a 400 naming body.
Result<std::string> InboundSmsText(const Request& req) {
  std::string type(req.Header("Content-Type"));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::erase(type, '"');
  const size_t at = type.find("charset=");
  const std::string charset =
      at == std::string::npos ? "" : type.substr(at + 8, type.find(';', at) - (at + 8));
  if (charset != "utf-16be" && charset != "utf-16") return req.body;
  return Recode(req.body, "UTF-16BE", "UTF-8", "body");
}

Answer ReceiveOwnerSms(HerdService& service, const TrustedProxies& sources, Request& req) {
  if (!sources.Contains(req.remote_address)) {
    return Status(StatusCode::kPermissionDenied,
                  "owners' messages are taken only from the SMS gateway (serve --sms-inbound-from)",
                  "address");
  }
  if (req.body.size() > kMaxInboundSmsBytes) {
    return Problem(
        413, "payload-too-large", "Payload too large",
        "An owner's message is at most " + std::to_string(kMaxInboundSmsBytes) + " bytes.",
        {{"field", "body"}});
  }
  InboundSms m;
  m.from = std::string(req.Query("from"));
  m.to = std::string(req.Query("to"));
  m.id = std::string(req.Query("id"));
  m.time = std::string(req.Query("time"));
  m.token = std::string(req.Query("token"));
  HP_ASSIGN_OR_RETURN(m.text, InboundSmsText(req));
  if (m.from.empty()) return InvalidArgument("from", "from (the sender, Kannel's %p) is required");
  HP_ASSIGN_OR_RETURN(const InboundSmsOutcome out, service.ReceiveSms(m));
  return Json(200, {{"owner_known", out.owner_known}, {"keyword", SmsKeywordName(out.keyword)}});
}

Answer ConfirmOutbreak(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string lab_reference = f.String("lab_reference");
  std::string note = f.String("note");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(
      const Outbreak o,
      service.ConfirmOutbreak(caller, PercentDecode(req.Param("id"), false), lab_reference, note));
  return JsonText(200, OutbreakJson(o, false));
}

Answer RuleOutOutbreak(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string note = f.String("note");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Outbreak o,
                      service.RuleOutOutbreak(caller, PercentDecode(req.Param("id"), false), note));
  return JsonText(200, OutbreakJson(o, false));
}

Answer DeclareZone(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  ZoneRequest in;
  in.outbreak_id = f.String("outbreak_id");
  in.disease = f.String("disease");
  in.protection_km = f.Number("protection_km");
  in.surveillance_km = f.Number("surveillance_km");
  in.authorities = f.StringList("authorities");
  in.species = f.StringList("species");
  in.starts_on = f.String("starts_on");
  in.ends_on = f.String("ends_on");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Zone z, service.DeclareZone(caller, in));
  return JsonText(201, ZoneJson(z));
}

// The zone id of the path; a malformed one is no zone (404), as for holdings.
Result<int64_t> ZoneId(const Request& req) {
  const std::string text = PercentDecode(req.Param("id"), false);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return NotFound("no zone with this id in your jurisdiction");
  }
  return id;
}

Answer ListZones(HerdService& service, Request& req, const Caller& caller) {
  ZoneListRequest in;
  in.authority = std::string(req.Query("authority"));
  HP_ASSIGN_OR_RETURN(const auto items, service.ListZones(caller, in));
  return JsonText(200, ZoneListJson(items));
}

Answer GetZone(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const int64_t id, ZoneId(req));
  HP_ASSIGN_OR_RETURN(const Zone z, service.GetZone(caller, id));
  return JsonText(200, ZoneJson(z));
}

Answer LiftZone(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const int64_t id, ZoneId(req));
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string reason = f.String("reason");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const Zone z, service.LiftZone(caller, id, reason));
  return JsonText(200, ZoneJson(z));
}

Answer ZoneCertificates(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const int64_t id, ZoneId(req));
  CertificatePage page;
  HP_ASSIGN_OR_RETURN(page.items, service.ZoneCertificates(caller, id));
  return JsonText(200, MovementPageJson(page, service.clock().Now()));
}

Answer RevokeZoneCertificates(HerdService& service, Request& req, const Caller& caller) {
  HP_ASSIGN_OR_RETURN(const int64_t id, ZoneId(req));
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string reason = f.String("reason");
  HP_RETURN_IF_ERROR(f.Done());
  HP_ASSIGN_OR_RETURN(const ZoneRevocation r, service.RevokeZoneCertificates(caller, id, reason));
  return JsonText(200, ZoneRevocationJson(r));
}

// W14: GET /trace as JSON, CSV or GeoJSON: ?format= when given, else the Accept header.
Answer Trace(HerdService& service, Request& req, const Caller& caller) {
  std::string format(req.Query("format"));
  if (format.empty()) {
    const std::string_view accept = req.Header("Accept");
    if (accept.find("text/csv") != std::string_view::npos) {
      format = "csv";
    } else if (accept.find("application/geo+json") != std::string_view::npos) {
      format = "geojson";
    } else {
      format = "json";
    }
  }
  if (format != "json" && format != "csv" && format != "geojson") {
    return InvalidArgument("format", "format must be json, csv or geojson");
  }
  TraceRequest in;
  HP_ASSIGN_OR_RETURN(in.holding, QueryInt(req, "holding"));
  in.tag = std::string(req.Query("tag"));
  in.from = std::string(req.Query("from"));
  in.to = std::string(req.Query("to"));
  HP_ASSIGN_OR_RETURN(in.depth, QueryInt(req, "depth"));
  in.direction = std::string(req.Query("direction"));
  in.disease = std::string(req.Query("disease"));
  HP_ASSIGN_OR_RETURN(const TraceAnswer a, service.Trace(caller, in));
  if (format == "csv") {
    Response res = Text(200, TraceCsv(a), "text/csv; charset=utf-8");
    res.AddHeader("Content-Disposition", "attachment; filename=\"trace.csv\"");
    return res;
  }
  if (format == "geojson") return Text(200, TraceGeoJson(a), "application/geo+json");
  return JsonText(200, TraceJson(a));
}

// W14: GET /zones/{id}/ring as JSON or CSV, chosen as for GET /trace: ?format= when given, else
// the Accept header.
Answer ZoneRing(HerdService& service, Request& req, const Caller& caller) {
  std::string format(req.Query("format"));
  if (format.empty()) {
    format = req.Header("Accept").find("text/csv") != std::string_view::npos ? "csv" : "json";
  }
  if (format != "json" && format != "csv") {
    return InvalidArgument("format", "format must be json or csv");
  }
  HP_ASSIGN_OR_RETURN(const int64_t id, ZoneId(req));
  HP_ASSIGN_OR_RETURN(const RingAnswer a, service.ZoneRing(caller, id));
  if (format == "csv") {
    Response res = Text(200, RingCsv(a), "text/csv; charset=utf-8");
    res.AddHeader("Content-Disposition", "attachment; filename=\"ring-zone-" +
                                             std::to_string(a.zone.id) + "-" +
                                             a.list.today.ToString() + ".csv\"");
    return res;
  }
  return JsonText(200, RingJson(a, service.catalogue()));
}

// W4, public: anyone with the QR code's text; the answer holds no personal data.
Answer Verify(HerdService& service, Request& req) {
  HP_ASSIGN_OR_RETURN(const json body, JsonObjectBody(req));
  FieldReader f(body, "");
  std::string hp1 = f.String("hp1");
  HP_RETURN_IF_ERROR(f.Done());
  if (hp1.empty()) return InvalidArgument("hp1", "hp1 is required");
  Caller anyone;
  anyone.address = req.remote_address;
  return JsonText(200, VerifyResultJson(service.Verify(anyone, hp1)));
}

// A signed document for offline verifiers, served as the service keeps it. Caches may hold it for
// `max_age_seconds`: the trust list changes rarely, the revocation list should reach verifiers
// soon.
Answer SignedDocument(Result<std::string> document, int max_age_seconds) {
  HP_ASSIGN_OR_RETURN(std::string text, std::move(document));
  Response res = Text(200, std::move(text), std::string(kJsonContentType));
  res.AddHeader("Cache-Control", "public, max-age=" + std::to_string(max_age_seconds));
  return res;
}

// The root public keys a verifier pins on first use (the operator's pin, given out of band, stays
// the strong form). Cached as briefly as the trust list: a new root shows within minutes.
Answer TrustRoot(HerdService& service) {
  HP_ASSIGN_OR_RETURN(const auto root, service.TrustRootKeys());
  Response res = JsonText(200, TrustRootJson(root));
  res.AddHeader("Cache-Control", "public, max-age=300");
  return res;
}

Response Catalogue(const HerdService& service) {
  return JsonText(200, CatalogueJson(service.catalogue(), service.config().movement_rules));
}

// The map's tile server (serve --tile-url) and its attribution, or nulls: the web app's map then
// draws on a blank ground. Nothing personal: any cache may keep it a few minutes.
Response MapTiles(const HerdService& service) {
  const ServiceConfig& c = service.config();
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  Response res = Json(200, {{"url", text_or_null(c.map_tile_url)},
                            {"attribution", text_or_null(c.map_tile_attribution)}});
  res.AddHeader("Cache-Control", "public, max-age=300");
  return res;
}

}  // namespace

void RegisterApiRoutes(Router& router, HerdService& service, MetricsRegistry& metrics) {
  auto& s = service;
  auto authed = [&s](Operation op, auto fn) {
    return Authed(s, op,
                  [&s, fn](Request& req, const Caller& c) { return ToResponse(fn(s, req, c)); });
  };
  router.Add("POST", "/api/v1/auth/login",
             [&s](Request& req) { return NoStore(ToResponse(Login(s, req))); });
  router.Add("POST", "/api/v1/auth/logout", authed(Operation::kSignedIn, Logout));
  router.Add("GET", "/api/v1/auth/me",
             Authed(s, Operation::kSignedIn, [](Request&, const Caller& c) { return Me(c); }));
  router.Add("POST", "/api/v1/owners", authed(Operation::kRegisterOwner, CreateOwner));
  router.Add("GET", "/api/v1/owners", authed(Operation::kReadOwner, FindOwner));
  router.Add("POST", "/api/v1/animals", authed(Operation::kRegisterAnimal, CreateAnimal));
  router.Add("GET", "/api/v1/animals/{tag}", authed(Operation::kReadAnimal, GetAnimal));
  router.Add("POST", "/api/v1/holdings", authed(Operation::kCreateHolding, CreateHolding));
  router.Add("GET", "/api/v1/holdings", authed(Operation::kReadHolding, ListHoldings));
  router.Add("GET", "/api/v1/holdings/{id}", authed(Operation::kReadHolding, GetHolding));
  router.Add("POST", "/api/v1/animals/{tag}/events",
             authed(Operation::kRecordAnimalEvent, RecordAnimalEvent));
  router.Add("GET", "/api/v1/flocks", authed(Operation::kReadOwner, ListFlocks));
  router.Add("POST", "/api/v1/flocks/{id}/events",
             authed(Operation::kRecordAnimalEvent, RecordFlockEvent));
  router.Add("GET", "/api/v1/animals/{tag}/timeline",
             authed(Operation::kReadTimeline, AnimalTimeline));
  router.Add("GET", "/api/v1/flocks/{id}/timeline",
             authed(Operation::kReadTimeline, FlockTimeline));
  router.Add("POST", "/api/v1/vaccinations/batch",
             authed(Operation::kRecordVaccinations, RecordBatch));
  router.Add("POST", "/api/v1/vaccinations/{id}/void",
             authed(Operation::kVoidVaccination, VoidVaccination));
  router.Add("POST", "/api/v1/transfers", authed(Operation::kRecordTransfer, RecordTransfer));
  router.Add("GET", "/api/v1/lookup", authed(Operation::kLookup, Lookup));
  router.Add("GET", "/api/v1/field-copy", authed(Operation::kTakeFieldCopy, FieldCopy));
  router.Add("GET", "/api/v1/audit", authed(Operation::kReadAudit, ListAudit));
  router.Add("GET", "/api/v1/reports/coverage", authed(Operation::kReadReports, CoverageReport));
  router.Add("GET", "/api/v1/due", authed(Operation::kReadDueList, DueList));
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
  router.Add(
      "GET", "/api/v1/movements/incoming",
      authed(Operation::kConsumeCertificate, [](HerdService& sv, Request& req, const Caller& c) {
        return ListMovements(sv, req, c, /*incoming=*/true);
      }));
  router.Add(
      "GET", "/api/v1/movements",
      authed(Operation::kReadCertificate, [](HerdService& sv, Request& req, const Caller& c) {
        return ListMovements(sv, req, c, /*incoming=*/false);
      }));
  router.Add("GET", "/api/v1/double-uses", authed(Operation::kReadCertificate, ListDoubleUses));
  router.Add("POST", "/api/v1/certificates/{id}/passages",
             authed(Operation::kRecordPassage, RecordPassage));
  router.Add("GET", "/api/v1/certificates/{id}/passages",
             authed(Operation::kReadCertificate, ListPassages));
  router.Add("POST", "/api/v1/certificates/{id}/revoke",
             authed(Operation::kRevokeCertificate, RevokeCertificate));
  router.Add("POST", "/api/v1/outbreaks", authed(Operation::kReportOutbreak, ReportOutbreak));
  router.Add("GET", "/api/v1/outbreaks", authed(Operation::kReadOutbreaks, ListOutbreaks));
  router.Add("POST", "/api/v1/outbreaks/{id}/confirm",
             authed(Operation::kDecideOutbreak, ConfirmOutbreak));
  router.Add("POST", "/api/v1/outbreaks/{id}/rule-out",
             authed(Operation::kDecideOutbreak, RuleOutOutbreak));
  router.Add("POST", "/api/v1/zones", authed(Operation::kManageZones, DeclareZone));
  router.Add("GET", "/api/v1/zones", authed(Operation::kReadOutbreaks, ListZones));
  router.Add("GET", "/api/v1/zones/{id}", authed(Operation::kReadOutbreaks, GetZone));
  router.Add("POST", "/api/v1/zones/{id}/lift", authed(Operation::kManageZones, LiftZone));
  router.Add("GET", "/api/v1/zones/{id}/certificates",
             authed(Operation::kManageZones, ZoneCertificates));
  router.Add("POST", "/api/v1/zones/{id}/revoke-certificates",
             authed(Operation::kManageZones, RevokeZoneCertificates));
  router.Add("GET", "/api/v1/zones/{id}/ring", authed(Operation::kReadRingList, ZoneRing));
  router.Add("GET", "/api/v1/trace", authed(Operation::kTrace, Trace));
  router.Add("GET", "/api/v1/sms/messages", authed(Operation::kReadSms, ListSmsMessages));
  router.Add("GET", "/api/v1/sms/dlr",
             [&s](Request& req) { return ToResponse(SmsDeliveryReport(s, req)); });
  // serve checks the networks before it starts: a list that does not parse here takes nothing.
  auto inbound_from = TrustedProxies::Parse(s.config().sms_inbound_from);
  router.Add("POST", "/api/v1/sms/inbound",
             [&s, sources = inbound_from.ok() ? *inbound_from : TrustedProxies()](Request& req) {
               return ToResponse(ReceiveOwnerSms(s, sources, req));
             });
  router.Add("POST", "/api/v1/me/code",
             [&s](Request& req) { return NoStore(ToResponse(RequestOwnerCode(s, req))); });
  router.Add("POST", "/api/v1/me/session",
             [&s](Request& req) { return NoStore(ToResponse(OwnerSignIn(s, req))); });
  router.Add("POST", "/api/v1/me/logout", OwnerAuthed(s, [&s](Request& req, const OwnerCaller& o) {
               return ToResponse(OwnerSignOut(s, req, o));
             }));
  router.Add("GET", "/api/v1/me", OwnerAuthed(s, [&s](Request&, const OwnerCaller& o) {
               return ToResponse(OwnerRecordsAnswer(s, o));
             }));
  router.Add("PUT", "/api/v1/me/language", OwnerAuthed(s, [&s](Request& req, const OwnerCaller& o) {
               return ToResponse(OwnerSetLanguage(s, req, o));
             }));
  router.Add("GET", "/api/v1/me/readers", OwnerAuthed(s, [&s](Request&, const OwnerCaller& o) {
               return ToResponse(OwnerReadersAnswer(s, o));
             }));
  router.Add("POST", "/api/v1/verify", [&s](Request& req) { return ToResponse(Verify(s, req)); });
  router.Add("GET", "/api/v1/trust-list",
             [&s](Request&) { return ToResponse(SignedDocument(s.TrustListDocument(), 300)); });
  router.Add("GET", "/api/v1/trust-root", [&s](Request&) { return ToResponse(TrustRoot(s)); });
  router.Add("GET", "/api/v1/revocations",
             [&s](Request&) { return ToResponse(SignedDocument(s.RevocationListDocument(), 60)); });
  router.Add("GET", "/api/v1/catalogue", [&s](Request&) { return Catalogue(s); });
  router.Add("GET", "/api/v1/map/tiles", [&s](Request&) { return MapTiles(s); });
  router.Add("GET", "/api/v1/openapi.json", [](Request&) {
    return Text(200, std::string(OpenApiDocument()), "application/json");
  });
  router.Add("GET", "/healthz", [](Request&) { return Json(200, {{"status", "ok"}}); });
  router.Add("GET", "/metrics", [&metrics](Request&) {
    return Text(200, metrics.Render(), std::string(kPrometheusContentType));
  });
}

}  // namespace herdpass::http
