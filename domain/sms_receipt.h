// The owner's receipt of a day's vaccinations (W15: one SMS per owner per day, issue 15 item 3):
// what, how many head, which product and batch, who, which station. Records of the same day merge
// into the receipt while it waits in the outbox, so that one batch after another gives one message.
// Thread-safe: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "domain/status.h"
#include "domain/time.h"

namespace herdpass {

struct VaccinationReceipt {
  struct Line {
    std::string disease;
    std::string vaccine;
    std::string batch_no;
    int64_t head = 0;
  };
  Date day;                 // the day the records were taken (UTC)
  std::string vaccinator;   // the username of who recorded them
  std::string station;      // the recording user's authority code
  std::vector<Line> lines;  // one per disease, product and batch, in the order first recorded

  // Adds `head` to the line of (disease, vaccine, batch_no), made when new.
  void Add(const std::string& disease, const std::string& vaccine, const std::string& batch_no,
           int64_t head);
  // Adds every line of `other` (same day).
  void Merge(const VaccinationReceipt& other);

  std::string ToJson() const;
  static Result<VaccinationReceipt> FromJson(const std::string& json);  // kInvalidArgument
  // The outbox's dedupe key: one receipt per owner per day.
  static std::string Key(int64_t owner_id, Date day);
  // What comes before and after the owner's id in every Key of `day`: Key(id, day) is
  // first + std::to_string(id) + second (for a store that makes the keys of owners it has not
  // read yet).
  static std::pair<std::string, std::string> KeyAround(Date day);
};

// A record given more than this many days before it is recorded gets no receipt: history typed in
// from paper or imported (the demo's three years) would otherwise send the owner a message for
// each day of it, long after anyone could check it.
inline constexpr int kReceiptMaxAgeDays = 30;
bool TakesReceipt(Date administered_on, Timestamp recorded_at);

// The message text in `language` (one of domain/sms_text.h's nine, English when unknown). With no
// vaccinator named (records from the operator's console), the station alone.
std::string RenderReceipt(const VaccinationReceipt& receipt, const std::string& language);

}  // namespace herdpass
