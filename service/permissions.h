// Who may do what (DESIGN.md sections 1 and 7): the one table of roles per operation. HerdService
// checks it in every use case; http/ also checks it before reading a request's body, so that a role
// that may not call an endpoint gets 403 whatever it sent. Jurisdiction is checked per record by
// the use cases themselves.
#pragma once

#include "domain/model.h"
#include "domain/status.h"

namespace herdpass {

struct Caller;

enum class Operation {
  kSignedIn,            // any signed-in user (logout, who am I)
  kRegisterOwner,       // W1
  kReadOwner,           // personal data: audited
  kRegisterAnimal,      // W1
  kReadAnimal,          // names the owner: audited
  kRecordVaccinations,  // W1
  kVoidVaccination,     // W1 corrections
  kRecordAnimalEvent,   // W12: deaths, tag replacements, flock head changes
  kLookup,              // W2: audited
  kReadAudit,           // the audit log
  kManageUsers,         // add, disable, enable users
  kListUsers,
  kManageAuthorities,
  kIssueCertificate,    // W3 (vet)
  kReadCertificate,     // GET /certificates/{id}, QR, print (vet, inspector)
  kConsumeCertificate,  // W5 (inspector)
  kRevokeCertificate,   // W6 (vet, admin)
  kManageKeys,          // signing keys, trust lists (the operator's console and admin)
  kReadReports,         // W11 aggregates (coverage): no personal data, not audited per read
  kCreateHolding,       // W12 (vaccinators: farms, camps and pastures only)
  kReadHolding,         // W12: masked owner names only, not audited per read
  kRecordPassage,       // issue 12 item 4: a certificate scanned at a checkpoint (inspector)
  kReadTimeline,        // W12: an animal's timeline, owner masked unless kReadOwner: audited
  kRecordTransfer,      // W8: a sale at the farm (vet)
  kTakeFieldCopy,       // W10: a bulk read of personal data for offline use: audited per copy
  kReportOutbreak,      // W14: a suspected outbreak from the field (vaccinator, vet)
  kDecideOutbreak,      // W14: confirm or rule out a report (vet)
  kReadOutbreaks,       // W14: the reports of the caller's jurisdiction
  kManageZones,         // W14: declare and lift zones, review and revoke their certificates
  kTrace,               // W14: where animals went from a holding or an animal: audited
  kReadRingList,        // W14: a zone's holdings, owners and coverage: audited
  kReadDueList,         // W15: owners due for a dose, by village; personal data: audited
  kReadSms,             // W15: the messages to owners (phone numbers): admin, audited per read
};

// ok, kUnauthenticated for the public, or kPermissionDenied naming the role.
Status Permit(const Caller& caller, Operation op);

}  // namespace herdpass
