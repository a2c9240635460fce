#include "domain/sms_receipt.h"

#include <nlohmann/json.hpp>

#include "domain/sms_text.h"

namespace herdpass {

void VaccinationReceipt::Add(const std::string& disease, const std::string& vaccine,
                             const std::string& batch_no, int64_t head) {
  for (Line& l : lines) {
    if (l.disease == disease && l.vaccine == vaccine && l.batch_no == batch_no) {
      l.head += head;
      return;
    }
  }
  lines.push_back({disease, vaccine, batch_no, head});
}

void VaccinationReceipt::Merge(const VaccinationReceipt& other) {
  for (const Line& l : other.lines) Add(l.disease, l.vaccine, l.batch_no, l.head);
}

std::string VaccinationReceipt::ToJson() const {
  nlohmann::json j{{"day", day.ToString()}, {"vaccinator", vaccinator}, {"station", station}};
  j["lines"] = nlohmann::json::array();
  for (const Line& l : lines) {
    j["lines"].push_back({{"disease", l.disease},
                          {"vaccine", l.vaccine},
                          {"batch_no", l.batch_no},
                          {"head", l.head}});
  }
  return j.dump();
}

Result<VaccinationReceipt> VaccinationReceipt::FromJson(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("payload", "not a receipt");
  try {
    VaccinationReceipt r;
    HP_ASSIGN_OR_RETURN(r.day, Date::Parse(j.at("day").get<std::string>(), "payload"));
    r.vaccinator = j.at("vaccinator").get<std::string>();
    r.station = j.at("station").get<std::string>();
    for (const auto& l : j.at("lines")) {
      r.lines.push_back({l.at("disease").get<std::string>(), l.at("vaccine").get<std::string>(),
                         l.at("batch_no").get<std::string>(), l.at("head").get<int64_t>()});
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return InvalidArgument("payload", "not a receipt");
  }
}

std::string VaccinationReceipt::Key(int64_t owner_id, Date day) {
  return "receipt/" + std::to_string(owner_id) + "/" + day.ToString();
}

bool TakesReceipt(Date administered_on, Timestamp recorded_at) {
  return administered_on >= Date::Of(recorded_at).AddDays(-kReceiptMaxAgeDays);
}

std::string RenderReceipt(const VaccinationReceipt& r, const std::string& language) {
  const SmsReceiptWords& w = ReceiptWordsFor(language);
  std::string lines;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    const auto& l = r.lines[i];
    if (i > 0) lines += w.line_separator;
    lines += FillSmsPattern(w.line, {{"disease", l.disease},
                                     {"head", std::to_string(l.head)},
                                     {"vaccine", l.vaccine},
                                     {"batch", l.batch_no}});
  }
  const std::string by =
      r.vaccinator.empty() ? FillSmsPattern(w.station, {{"station", r.station}})
                           : FillSmsPattern(w.by, {{"who", r.vaccinator}, {"station", r.station}});
  return FillSmsPattern(w.pattern, {{"day", r.day.ToString()}, {"lines", lines}, {"by", by}});
}

}  // namespace herdpass
