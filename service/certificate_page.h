// One page of a certificate list, newest first, as the certificate list (W3) and the movement
// lists (W13) answer it: the paging rule written once for both.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "domain/certificate.h"
#include "domain/status.h"
#include "service/service.h"

namespace herdpass {

// `limit` (1 to 1000, default 50) and `cursor` ("" or the next_cursor of the page before:
// "<issued_at in ms>.<id>" of its last item) as the client sent them; `q` a CertificateListQuery
// or MovementListQuery with everything else set. `read(q)` runs the store's query for one item
// more than the page, which tells whether a next page exists. kInvalidArgument naming limit or
// cursor.
template <class Query, class Read>
Result<CertificatePage> ReadCertificatePage(Query q, std::optional<int64_t> limit_asked,
                                            const std::string& cursor, Read read) {
  const int64_t limit = limit_asked.value_or(50);
  if (limit < 1 || limit > 1000) {
    return InvalidArgument("limit", "limit must be between 1 and 1000");
  }
  q.limit = static_cast<int>(limit) + 1;
  if (!cursor.empty()) {
    const size_t dot = cursor.find('.');
    int64_t ms = 0;
    const char* begin = cursor.data();
    auto [end, ec] = std::from_chars(begin, begin + (dot == std::string::npos ? 0 : dot), ms);
    if (dot == std::string::npos || dot == 0 || ec != std::errc() || end != begin + dot ||
        !NormalizeUuid(cursor.substr(dot + 1)).ok()) {
      return InvalidArgument("cursor", "cursor must be the next_cursor of a page");
    }
    q.before_issued_at = Timestamp(std::chrono::milliseconds(ms));
    q.before_id = NormalizeUuid(cursor.substr(dot + 1)).value();
  }
  CertificatePage page;
  HP_ASSIGN_OR_RETURN(page.items, read(q));
  if (page.items.size() > static_cast<size_t>(limit)) {
    page.items.resize(static_cast<size_t>(limit));
    const Certificate& last = page.items.back();
    page.next_cursor = std::to_string(last.issued_at.time_since_epoch().count()) + "." + last.id;
  }
  return page;
}

}  // namespace herdpass
