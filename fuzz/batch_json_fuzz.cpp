// Fuzz target: the JSON body of a W1 batch upload (POST /v1/vaccinations:batch).
//
// The input is the raw request body. It is parsed the way http/ parses it (nlohmann::json without
// exceptions), then mapped by http::ParseBatch, then each record's outside-input fields go through
// the domain parsers that HerdService::ValidateRecord uses (that function is private and needs a
// store, so the target calls the same domain functions directly: NormalizeUuid, PhoneNormalizer,
// ParseEarTag, Date::Parse). Properties: never crashes or throws; ParseBatch returns records or a
// kInvalidArgument naming a non-empty field; every domain success round-trips.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/ear_tag.h"
#include "domain/model.h"
#include "domain/phone.h"
#include "domain/time.h"
#include "fuzz/fuzz_check.h"
#include "http/routes/json_mapping.h"

namespace {

void CheckUuid(const std::string& text, const std::string& field) {
  auto id = herdpass::NormalizeUuid(text, field);
  if (!id.ok()) {
    FUZZ_CHECK(id.status().field() == field);
    return;
  }
  FUZZ_CHECK(id->size() == 36);
  FUZZ_CHECK(id->find_first_of("ABCDEF") == std::string::npos);
  auto again = herdpass::NormalizeUuid(id.value());
  FUZZ_CHECK(again.ok() && again.value() == id.value());
}

void CheckRecord(const herdpass::VaccinationRecordInput& in, const std::string& prefix) {
  static const herdpass::PhoneNormalizer kPhones("KZ");
  static const std::vector<herdpass::EarTagScheme> kSchemes = {herdpass::EarTagScheme::kIso11784,
                                                               herdpass::EarTagScheme::kChina};
  CheckUuid(in.id, prefix + "id");
  if (!in.corrects.empty()) CheckUuid(in.corrects, prefix + "corrects");

  if (!in.owner_phone.empty()) {
    auto phone = kPhones.ToE164(in.owner_phone, prefix + "owner_phone");
    if (phone.ok()) {
      auto again = kPhones.ToE164(phone.value());
      FUZZ_CHECK(again.ok() && again.value() == phone.value());
    } else {
      FUZZ_CHECK(phone.status().field() == prefix + "owner_phone");
    }
  }

  for (size_t t = 0; t < in.animal_tags.size() && t < 1000; ++t) {
    const std::string field = prefix + "animal_tags[" + std::to_string(t) + "]";
    auto tag = herdpass::ParseEarTag(in.animal_tags[t], kSchemes, field);
    if (tag.ok()) {
      auto again = herdpass::ParseEarTag(tag->digits, kSchemes);
      FUZZ_CHECK(again.ok() && again->digits == tag->digits && again->scheme == tag->scheme);
    } else {
      FUZZ_CHECK(tag.status().field() == field);
    }
  }

  auto date = herdpass::Date::Parse(in.administered_on, prefix + "administered_on");
  if (date.ok()) {
    FUZZ_CHECK(date->ToString() == in.administered_on);
  } else {
    FUZZ_CHECK(date.status().field() == prefix + "administered_on");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;  // http/ answers 400 "body is not JSON" before ParseBatch

  auto records = herdpass::http::ParseBatch(body);
  if (!records.ok()) {
    FUZZ_CHECK(records.status().code() == herdpass::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!records.status().field().empty());
    FUZZ_CHECK(!records.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(body.is_object());
  FUZZ_CHECK(records->size() == body.at("records").size());
  for (size_t i = 0; i < records->size(); ++i) {
    CheckRecord(records.value()[i], "records[" + std::to_string(i) + "].");
  }
  return 0;
}
