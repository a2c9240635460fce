// A use of a certificate at its destination (W5, issue 14 item 5): the scan that consumed it, or a
// later scan of the same certificate, a double use. Each carries the id the scanning device made
// (UUIDv7), so that a scan sent twice (an outbox sending again after a lost answer) is one use.
// The first use is final: a second one is never an error that loses data but a recorded double
// use, shown to the inspectors of both scans and to the origin vet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/model.h"

namespace herdpass {

struct CertificateUse {
  std::string
      id;  // canonical lowercase UUID made on the device (or by the server, for old clients)
  std::string certificate_id;
  bool double_use = false;  // false: the use that consumed the certificate
  Timestamp scanned_at{};   // when the inspector scanned it (offline: before it was sent)
  Timestamp received_at{};  // when the server got it
  int64_t user_id = 0;
  std::string user_name;
  std::string place;
  std::optional<int64_t> holding_id;
  std::optional<int32_t> head_counted;
  std::string authority;  // where it was scanned: the holding's, else the inspector's
};

}  // namespace herdpass
