#include "domain/sms_receipt.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>
#include <utility>

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

// RapidJSON rather than nlohmann::json (the rest of domain/): a W1 batch reads back and writes
// again the day's receipt of each of its owners (about 390 of them a batch of 500), on the
// writer's thread, and nlohmann's DOM (a std::map per object, a string per key) took about 12 % of
// the server's CPU in W1 on PostgreSQL (perf, bench/RESULTS.md). The text is the one nlohmann
// wrote: keys in sorted order, no spaces.
std::string VaccinationReceipt::ToJson() const {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto text = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("day");
  text(day.ToString());
  w.Key("lines");
  w.StartArray();
  for (const Line& l : lines) {
    w.StartObject();
    w.Key("batch_no");
    text(l.batch_no);
    w.Key("disease");
    text(l.disease);
    w.Key("head");
    w.Int64(l.head);
    w.Key("vaccine");
    text(l.vaccine);
    w.EndObject();
  }
  w.EndArray();
  w.Key("station");
  text(station);
  w.Key("vaccinator");
  text(vaccinator);
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

namespace {

// The string member `name` of `o`, or nullptr.
const rapidjson::Value* StringMember(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString() ? &it->value : nullptr;
}

std::string Text(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

Result<VaccinationReceipt> VaccinationReceipt::FromJson(const std::string& json) {
  const Status refused = InvalidArgument("payload", "not a receipt");
  rapidjson::Document j;
  j.Parse(json.data(), json.size());
  if (j.HasParseError() || !j.IsObject()) return refused;
  const rapidjson::Value* day = StringMember(j, "day");
  const rapidjson::Value* vaccinator = StringMember(j, "vaccinator");
  const rapidjson::Value* station = StringMember(j, "station");
  auto lines = j.FindMember("lines");
  if (day == nullptr || vaccinator == nullptr || station == nullptr || lines == j.MemberEnd() ||
      !lines->value.IsArray()) {
    return refused;
  }
  VaccinationReceipt r;
  HP_ASSIGN_OR_RETURN(r.day, Date::Parse(Text(*day), "payload"));
  r.vaccinator = Text(*vaccinator);
  r.station = Text(*station);
  for (const rapidjson::Value& l : lines->value.GetArray()) {
    if (!l.IsObject()) return refused;
    const rapidjson::Value* disease = StringMember(l, "disease");
    const rapidjson::Value* vaccine = StringMember(l, "vaccine");
    const rapidjson::Value* batch_no = StringMember(l, "batch_no");
    auto head = l.FindMember("head");
    if (disease == nullptr || vaccine == nullptr || batch_no == nullptr || head == l.MemberEnd() ||
        !head->value.IsInt64()) {
      return refused;
    }
    r.lines.push_back({Text(*disease), Text(*vaccine), Text(*batch_no), head->value.GetInt64()});
  }
  return r;
}

std::pair<std::string, std::string> VaccinationReceipt::KeyAround(Date day) {
  std::string after = "/";
  after += day.ToString();
  return {"receipt/", std::move(after)};
}

std::string VaccinationReceipt::Key(int64_t owner_id, Date day) {
  auto [key, after] = KeyAround(day);
  key += std::to_string(owner_id);
  key += after;
  return key;
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
