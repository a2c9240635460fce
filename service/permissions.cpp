#include "service/permissions.h"

#include <string>

#include "service/service.h"

namespace herdpass {
namespace {

constexpr unsigned Bit(Role r) { return 1u << static_cast<unsigned>(r); }
constexpr unsigned kVaccinator = Bit(Role::kVaccinator), kVet = Bit(Role::kVet),
                   kInspector = Bit(Role::kInspector), kAdmin = Bit(Role::kAdmin),
                   kAuditor = Bit(Role::kAuditor);

// The roles allowed to do `op`, as a set of Bit(role).
unsigned RolesFor(Operation op) {
  switch (op) {
    case Operation::kSignedIn:
      return kVaccinator | kVet | kInspector | kAdmin | kAuditor;
    case Operation::kRegisterOwner:
    case Operation::kRegisterAnimal:
    case Operation::kRecordVaccinations:
      return kVaccinator | kVet;
    case Operation::kReadOwner:
    case Operation::kReadAnimal:
      return kVaccinator | kVet | kInspector;
    case Operation::kVoidVaccination:
      return kVet;
    case Operation::kRecordAnimalEvent:
      // The inspector at the slaughterhouse records slaughtered only (HerdService checks the kind).
      return kVaccinator | kVet | kInspector;
    case Operation::kLookup:
      return kInspector | kVet;
    case Operation::kReadAudit:
    case Operation::kListUsers:
      return kAuditor | kAdmin;
    case Operation::kManageUsers:
    case Operation::kManageAuthorities:
      return kAdmin;
    case Operation::kIssueCertificate:
      return kVet;
    case Operation::kReadCertificate:
      return kVet | kInspector | kAdmin;
    case Operation::kConsumeCertificate:
      return kInspector;
    case Operation::kRevokeCertificate:
      return kVet | kAdmin;
    case Operation::kManageKeys:
      return kAdmin;
    case Operation::kReadReports:
      return kAuditor | kAdmin | kVet;
    case Operation::kCreateHolding:
      return kVaccinator | kVet | kAdmin;
    case Operation::kRecordTransfer:
      return kVet;
    case Operation::kTakeFieldCopy:
      return kInspector | kVaccinator;
    case Operation::kReadHolding:
    case Operation::kReadTimeline:
      return kVaccinator | kVet | kInspector | kAdmin | kAuditor;
    case Operation::kReportOutbreak:
      return kVaccinator | kVet;
    case Operation::kDecideOutbreak:
      return kVet;
    case Operation::kReadOutbreaks:
      // The authority's users see the reports of their place; they name a holding and no person.
      return kVaccinator | kVet | kInspector | kAdmin | kAuditor;
    case Operation::kManageZones:
      return kVet | kAdmin;
    case Operation::kTrace:
      // Those who answer an outbreak and those who check them; owners' personal fields only to
      // the roles that read owners (HerdService::Trace).
      return kVet | kAdmin | kAuditor;
    case Operation::kReadRingList:
      // As tracing: those who answer an outbreak and those who check them; owners' personal
      // fields only to the roles that read owners (HerdService::ZoneRing).
      return kVet | kAdmin | kAuditor;
    case Operation::kReadDueList:
      // Vaccinators and vets call on the owners; admins plan campaigns from masked lists.
      return kVaccinator | kVet | kAdmin;
    case Operation::kReadSms:
      return kAdmin;
    case Operation::kRecordPassage:
      // The inspector on the road, as W5's at the destination. The passages are read with the
      // certificate (kReadCertificate).
      return kInspector;
  }
  return 0;
}

}  // namespace

Status Permit(const Caller& caller, Operation op) {
  if (caller.system) return Status::Ok();
  if (!caller.role) return Unauthenticated("sign in first");
  if ((RolesFor(op) & Bit(*caller.role)) != 0) return Status::Ok();
  return PermissionDenied(std::string("the role '") + RoleName(*caller.role) + "' may not do this");
}

}  // namespace herdpass
