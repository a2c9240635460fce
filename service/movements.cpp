// Movements (W13, issue 12 item 3): the holdings a certificate names at issuance, what is coming to
// an inspector's posts, and the origin vet's list of movements with their arrivals. The arrival
// itself is W5's consumption (service/certificates.cpp), applied by the store in one transaction.
#include <charconv>

#include "domain/movement.h"
#include "service/certificate_page.h"
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

// A page as ListCertificates makes it (service/certificate_page.h).
Result<CertificatePage> HerdService::MovementPage(MovementListQuery q,
                                                  const MovementListRequest& request) {
  q.now = clock_.Now();
  return ReadCertificatePage(
      std::move(q), request.limit, request.cursor,
      [&](const MovementListQuery& query) { return store_.ListMovements(query); });
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

// Issue 14 item 5. Paged as the certificate list (by the certificates' issued_at and id), so the
// cursor and its checks are those of ReadCertificatePage; each page's uses read per item.
Result<DoubleUsePage> HerdService::ListDoubleUses(const Caller& caller,
                                                  const DoubleUseListRequest& request) {
  HP_RETURN_IF_ERROR(Permit(caller, Operation::kReadCertificate));
  DoubleUseListQuery q;
  q.scope = caller.authority;
  q.all_authorities = caller.system;
  HP_ASSIGN_OR_RETURN(CertificatePage certificates,
                      ReadCertificatePage(std::move(q), request.limit, request.cursor,
                                          [&](const DoubleUseListQuery& query) {
                                            return store_.ListDoubleUsedCertificates(query);
                                          }));
  DoubleUsePage page;
  page.next_cursor = std::move(certificates.next_cursor);
  for (Certificate& c : certificates.items) {
    DoubleUseItem item;
    HP_ASSIGN_OR_RETURN(item.uses, store_.ListCertificateUses(c.id));
    item.certificate = std::move(c);
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace herdpass
