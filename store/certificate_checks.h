// The checks of a new certificate that both backends make inside the transaction that stores it,
// written once. A backend reads what they need with its SQL and passes it in. Thread-safe (pure
// functions).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "domain/certificate.h"
#include "domain/status.h"

namespace herdpass::store {

// Which unique key of a new certificate is taken, after its insert found one taken: given how
// looking the certificate up by its id went, kAlreadyExists with field "id" when it was found,
// field "number" when it was not (so that service/ can draw a new number and try again), or the
// lookup's own failure.
Status CertificateConflict(const Status& lookup_by_id);

// The animals a new certificate names, as just stored: every one the owner's (`owners`: each
// animal's current owner), and the certificate's tags exactly theirs (`stored_tags`: the tags of
// its tagged animals, sorted). Tags are read back through the animals rather than stored twice,
// so that a certificate whose signed tags disagree with its animals is refused here and not
// discovered later. kFailedPrecondition or kInvalidArgument (field "tags").
Status CheckCertificateAnimals(const Certificate& c, const std::vector<std::string>& stored_tags,
                               std::span<const int64_t> owners);

// A stored purpose or status read back (the backends' row codecs); kInternal when the text is none
// of them (a row written by something other than this code).
Result<Purpose> StoredPurpose(const std::string& text);
Result<CertificateStatus> StoredCertificateStatus(const std::string& text);

}  // namespace herdpass::store
