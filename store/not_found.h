// The kNotFound messages of the store's lookups, written once for both backends: the codecs of each
// (store/record_codecs.h) return them, the core and the record rules pass them on, and the API
// shows them to users as they are (the black-box tests check the text).
#pragma once

namespace herdpass::store {

inline constexpr const char kNoSuchOwner[] = "no such owner";
inline constexpr const char kNoOwnerWithPhone[] = "no owner with this phone number";
inline constexpr const char kNoAnimalWithTag[] = "no animal with this tag";
inline constexpr const char kNoSuchAnimal[] = "no such animal or flock";
inline constexpr const char kNoSuchVaccination[] = "no such vaccination record";
inline constexpr const char kNoSuchUser[] = "no such user";
inline constexpr const char kNoSuchCertificate[] = "no such certificate";
inline constexpr const char kNoSuchHolding[] = "no such holding";
inline constexpr const char kNoSuchOutbreak[] = "no such outbreak report";
inline constexpr const char kNoSuchZone[] = "no such zone";
inline constexpr const char kNoSuchSms[] = "no such message";

}  // namespace herdpass::store
