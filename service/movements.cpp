// Movements (W13, issue 12 item 3): the holdings a certificate names at issuance, what is coming to
// an inspector's posts, and the origin vet's list of movements with their arrivals. The arrival
// itself is W5's consumption (service/certificates.cpp), applied by the store in one transaction.
#include <charconv>

#include "domain/movement.h"
#include "service/service.h"

namespace herdpass {

Status HerdService::CheckMovementHoldings(const Caller& caller, const CertificateRequest& req,
                                          Date today) {
  auto find = [&](int64_t id, const std::string& field) -> Result<Holding> {
    auto h = store_.FindHolding(id);
    if (h.ok()) HP_RETURN_IF_ERROR(CheckHoldingOpenOn(*h, today, field));
    if (h.ok() || h.status().code() != StatusCode::kNotFound) return h;
    return InvalidArgument(field, "no holding " + std::to_string(id));
  };
  if (req.origin_holding) {
    HP_ASSIGN_OR_RETURN(const Holding from, find(*req.origin_holding, "origin_holding"));
    if (!caller.system && !InJurisdiction(caller.authority, from.authority)) {
      return Status(StatusCode::kPermissionDenied,
                    "the holding " + from.code + " is in " + from.authority +
                        ", outside your jurisdiction (" + caller.authority + ")",
                    "origin_holding");
    }
  }
  if (req.destination_holding) {
    HP_ASSIGN_OR_RETURN(const Holding to, find(*req.destination_holding, "destination_holding"));
    if (!InJurisdiction(req.destination, to.authority) &&
        !InJurisdiction(to.authority, req.destination)) {
      return InvalidArgument("destination_holding", "the holding " + to.code + " is in " +
                                                        to.authority + ", not in the destination " +
                                                        req.destination);
    }
  }
  return Status::Ok();
}

// The cursor as ListCertificates makes it: "<issued_at in ms>.<id>" of the last item shown.
Result<CertificatePage> HerdService::MovementPage(MovementListQuery q,
                                                  const MovementListRequest& request) {
  const int64_t limit = request.limit.value_or(50);
  if (limit < 1 || limit > 1000) {
    return InvalidArgument("limit", "limit must be between 1 and 1000");
  }
  q.limit = static_cast<int>(limit) + 1;  // one more tells whether a next page exists
  q.now = clock_.Now();
  if (!request.cursor.empty()) {
    const size_t dot = request.cursor.find('.');
    int64_t ms = 0;
    const char* begin = request.cursor.data();
    auto [end, ec] = std::from_chars(begin, begin + (dot == std::string::npos ? 0 : dot), ms);
    if (dot == std::string::npos || dot == 0 || ec != std::errc() || end != begin + dot ||
        !NormalizeUuid(request.cursor.substr(dot + 1)).ok()) {
      return InvalidArgument("cursor", "cursor must be the next_cursor of a page");
    }
    q.before_issued_at = Timestamp(std::chrono::milliseconds(ms));
    q.before_id = NormalizeUuid(request.cursor.substr(dot + 1)).value();
  }
  CertificatePage page;
  HP_ASSIGN_OR_RETURN(page.items, store_.ListMovements(q));
  if (page.items.size() > static_cast<size_t>(limit)) {
    page.items.resize(static_cast<size_t>(limit));
    const Certificate& last = page.items.back();
    page.next_cursor = std::to_string(last.issued_at.time_since_epoch().count()) + "." + last.id;
  }
  return page;
}

Result<CertificatePage> HerdService::ListIncomingMovements(const Caller& caller,
                                                           const MovementListRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kConsumeCertificate));
  if (!request.status.empty()) {
    return InvalidArgument("status", "the incoming list holds planned movements only");
  }
  MovementListQuery q;
  q.side = MovementListQuery::Side::kIncoming;
  q.scope = caller.authority;
  q.all_authorities = caller.system;
  return MovementPage(std::move(q), request);
}

Result<CertificatePage> HerdService::ListMovements(const Caller& caller,
                                                   const MovementListRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadCertificate));
  MovementListQuery q;
  q.side = MovementListQuery::Side::kOutgoing;
  q.scope = caller.authority;
  q.all_authorities = caller.system;
  if (!request.status.empty()) {
    HP_ASSIGN_OR_RETURN(q.status, ParseMovementStatus(request.status, "status"));
  }
  return MovementPage(std::move(q), request);
}

}  // namespace herdpass
