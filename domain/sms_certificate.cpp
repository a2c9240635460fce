#include "domain/sms_certificate.h"

#include <sodium.h>

#include <array>
#include <cstdio>

#include "domain/sms_text.h"

namespace herdpass {
namespace {

struct CertificateTexts {
  const char* code;
  const char* issued;  // {number}, {head}, {check}
  const char* arrived;
  const char* revoked;
};

// The nine languages of web/src/languages.ts (English first: the fallback).
constexpr std::array<CertificateTexts, 9> kTexts = {{
    {"en", "HerdPass: certificate {number} issued, {head} head. Check code {check}.",
     "HerdPass: the animals of certificate {number} arrived at their destination.",
     "HerdPass: certificate {number} was revoked."},
    {"ru", "HerdPass: выдан сертификат {number}, {head} гол. Код проверки {check}.",
     "HerdPass: животные по сертификату {number} прибыли на место назначения.",
     "HerdPass: сертификат {number} отозван."},
    {"kk", "HerdPass: {number} сертификаты берілді, {head} бас. Тексеру коды {check}.",
     "HerdPass: {number} сертификаты бойынша мал межелі жерге жетті.",
     "HerdPass: {number} сертификатының күші жойылды."},
    {"ky", "HerdPass: {number} сертификаты берилди, {head} баш. Текшерүү коду {check}.",
     "HerdPass: {number} сертификаты боюнча мал көздөгөн жерине жетти.",
     "HerdPass: {number} сертификатынын күчү жоюлду."},
    {"uz", "HerdPass: {number} sertifikati berildi, {head} bosh. Tekshirish kodi {check}.",
     "HerdPass: {number} sertifikati bo'yicha hayvonlar manzilga yetib keldi.",
     "HerdPass: {number} sertifikati bekor qilindi."},
    {"tg", "HerdPass: шаҳодатномаи {number} дода шуд, {head} сар. Рамзи санҷиш {check}.",
     "HerdPass: чорво бо шаҳодатномаи {number} ба макони таъинот расид.",
     "HerdPass: шаҳодатномаи {number} бекор карда шуд."},
    {"ug", "HerdPass: {number} نومۇرلۇق گۇۋاھنامە بېرىلدى، {head} باش. تەكشۈرۈش نومۇرى {check}.",
     "HerdPass: {number} نومۇرلۇق گۇۋاھنامىدىكى چارۋىلار مەنزىلگە يېتىپ كەلدى.",
     "HerdPass: {number} نومۇرلۇق گۇۋاھنامە ئەمەلدىن قالدۇرۇلدى."},
    {"zh-Hans", "HerdPass：已签发检疫证明 {number}，{head}头。核验码 {check}。",
     "HerdPass：检疫证明 {number} 的牲畜已到达目的地。", "HerdPass：检疫证明 {number} 已撤销。"},
    {"fr", "HerdPass : certificat {number} délivré, effectif {head}. Code de vérification {check}.",
     "HerdPass : les animaux du certificat {number} sont arrivés à destination.",
     "HerdPass : le certificat {number} a été révoqué."},
}};

}  // namespace

const char* CertificateSmsEventName(CertificateSmsEvent e) {
  switch (e) {
    case CertificateSmsEvent::kIssued:
      return "issued";
    case CertificateSmsEvent::kArrived:
      return "arrived";
    case CertificateSmsEvent::kRevoked:
      return "revoked";
  }
  return "issued";
}

std::string CertificateCheckCode(const std::string& hp1) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(hp1.data()), hp1.size());
  const uint32_t n = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
  char out[8];
  std::snprintf(out, sizeof out, "%06u", static_cast<unsigned>(n % 1000000U));
  return out;
}

std::string CertificateSmsKey(const std::string& certificate_id, CertificateSmsEvent e) {
  return "certificate/" + certificate_id + "/" + CertificateSmsEventName(e);
}

std::string RenderCertificateSms(CertificateSmsEvent e, const std::string& number,
                                 const std::string& check_code, int head,
                                 const std::string& language) {
  const CertificateTexts* t = &kTexts[0];
  for (const CertificateTexts& each : kTexts) {
    if (language == each.code) t = &each;
  }
  const char* pattern = e == CertificateSmsEvent::kIssued    ? t->issued
                        : e == CertificateSmsEvent::kArrived ? t->arrived
                                                             : t->revoked;
  return FillSmsPattern(
      pattern, {{"number", number}, {"head", std::to_string(head)}, {"check", check_code}});
}

}  // namespace herdpass
