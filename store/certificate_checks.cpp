#include "store/certificate_checks.h"

#include <algorithm>

namespace herdpass::store {

Status CertificateConflict(const Status& lookup_by_id) {
  if (lookup_by_id.ok()) {
    return Status(StatusCode::kAlreadyExists, "a certificate with this id exists", "id");
  }
  if (lookup_by_id.code() != StatusCode::kNotFound) return lookup_by_id;
  return Status(StatusCode::kAlreadyExists, "a certificate with this number exists", "number");
}

Status CheckCertificateAnimals(const Certificate& c, const std::vector<std::string>& stored_tags,
                               std::span<const int64_t> owners) {
  for (int64_t owner : owners) {
    if (owner != c.owner_id) {
      return FailedPrecondition("an animal of the certificate belongs to another owner");
    }
  }
  std::vector<std::string> given = c.tags;
  std::sort(given.begin(), given.end());
  if (given != stored_tags) {
    return InvalidArgument("tags", "the tags are not those of the certificate's animals");
  }
  return Status::Ok();
}

Result<Purpose> StoredPurpose(const std::string& text) {
  auto purpose = ParsePurpose(text);
  if (!purpose.ok()) return Internal("a stored certificate has an unknown purpose");
  return *purpose;
}

Result<CertificateStatus> StoredCertificateStatus(const std::string& text) {
  auto status = ParseCertificateStatus(text);
  if (!status.ok()) return Internal("a stored certificate has an unknown status");
  return *status;
}

}  // namespace herdpass::store
