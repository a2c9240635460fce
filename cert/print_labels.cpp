// The translation table of the printed certificate (cert/print_labels.h).
//
// Columns: zh-Hans, ug, kk, ky, uz, tg, ru, en, fr. Uzbek is written in the official Latin alphabet
// with U+02BB (oʻ, gʻ) and U+02BC (the tutuq belgisi), not ASCII apostrophes.
//
// The page's own words (labels, statuses) are written here. Purpose, species and disease names are
// not: the build generates them (cert/print_names.cmake, into cert/print_names.h of the build tree)
// from the app's translation files, web/src/locales/<lang>/common.json, so that the app and the
// printed certificate cannot name a thing differently. The English names there are the default
// catalogue's (domain/catalogue.cpp); the other languages follow the usual veterinary terms of each
// country, and a native speaker's review is welcome, especially for Uyghur, Tajik and Kyrgyz.
#include "cert/print_labels.h"

#include <algorithm>

#include "cert/print_names.h"

namespace herdpass::cert {
namespace {

static_assert(detail::kNameLanguages == kPrintLanguages,
              "cert/CMakeLists.txt passes the languages to print_names.cmake in another order");

// clang-format off
constexpr Translation kLabelRows[] = {
    // --- labels ---
    {"title", {"动物检疫合格证明", "ھايۋانلار كارانتىن ئىسپاتنامىسى",
               "Жануарлардың карантиндік сертификаты", "Жаныбарлардын карантиндик сертификаты",
               "Hayvonlar karantin sertifikati", "Шаҳодатномаи карантинии ҳайвонот",
               "Карантинный сертификат на животных", "Animal quarantine certificate",
               "Certificat de quarantaine des animaux"}},
    {"number", {"证明编号", "ئىسپاتنامە نومۇرى", "Сертификат нөмірі", "Сертификаттын номери",
                "Sertifikat raqami", "Рақами шаҳодатнома", "Номер сертификата",
                "Certificate number", "Numéro du certificat"}},
    {"status", {"状态", "ھالىتى", "Күйі", "Абалы", "Holati", "Ҳолат", "Статус", "Status",
                "Statut"}},
    {"purpose", {"用途", "مەقسىتى", "Мақсаты", "Максаты", "Maqsadi", "Мақсад", "Цель", "Purpose",
                 "Finalité"}},
    {"species", {"动物种类", "ھايۋان تۈرى", "Жануар түрі", "Жаныбардын түрү", "Hayvon turi",
                 "Навъи ҳайвон", "Вид животных", "Species", "Espèce"}},
    {"head_count", {"数量（头/只）", "سانى (باش)", "Бас саны", "Баш саны", "Bosh soni",
                    "Шумораи сар", "Количество голов", "Head count", "Nombre de têtes"}},
    {"ear_tags", {"耳标号", "قۇلاق بەلگىسى", "Құлақ сырғалары", "Кулак сөйкөлөрү",
                  "Quloq birkalari", "Биркаҳои гӯш", "Ушные бирки", "Ear tags",
                  "Boucles auriculaires"}},
    {"no_tags", {"无（按头数计）", "يوق (باش سانى بويىچە)", "Жоқ (бас санымен есептеледі)",
                 "Жок (баш саны менен эсептелет)", "Yoʻq (bosh soni boʻyicha hisoblanadi)",
                 "Нест (аз рӯи шумораи сар)", "Нет (учёт по головам)", "None (counted by head)",
                 "Aucune (comptage par tête)"}},
    {"origin", {"启运地", "يولغا چىققان جاي", "Жөнелту орны", "Жөнөтүлгөн жер",
                "Joʻnatish joyi", "Ҷойи фиристодан", "Место отправления", "Origin", "Origine"}},
    {"destination", {"到达地", "بارىدىغان جاي", "Баратын орны", "Бара турган жер",
                     "Borish joyi", "Ҷойи таъинот", "Место назначения", "Destination",
                     "Destination"}},
    {"authority", {"主管机构", "باشقۇرغۇچى ئورگان", "Уәкілетті орган", "Ыйгарым укуктуу орган",
                   "Vakolatli organ", "Мақоми салоҳиятдор", "Уполномоченный орган", "Authority",
                   "Autorité compétente"}},
    {"place", {"地点", "ئورنى", "Орны", "Жери", "Joyi", "Ҷой", "Место", "Place", "Lieu"}},
    {"transport", {"运载工具", "قاتناش قورالى", "Көлік", "Унаа", "Transport vositasi",
                   "Воситаи нақлиёт", "Транспорт", "Transport", "Transport"}},
    {"valid_from", {"有效期自", "ئىناۋەتلىك باشلىنىش ۋاقتى", "Жарамдылығы басталады",
                    "Жарактуу мөөнөтүнүн башы", "Amal qilish boshlanishi", "Эътибор аз",
                    "Действителен с", "Valid from", "Valable à partir du"}},
    {"valid_until", {"有效期至", "ئىناۋەتلىك ئاخىرلىشىش ۋاقتى", "Жарамдылығы аяқталады",
                     "Жарактуу мөөнөтүнүн аягы", "Amal qilish tugashi", "Эътибор то",
                     "Действителен до", "Valid until", "Valable jusqu’au"}},
    {"issuer", {"签发机构", "تارقاتقان ئورگان", "Берген орган", "Берген орган", "Bergan organ",
                "Мақоми содиркунанда", "Выдавший орган", "Issuing authority",
                "Autorité émettrice"}},
    {"vaccinations", {"免疫记录", "ئەملەش خاتىرىسى", "Вакцинациялар", "Эмдөөлөр", "Emlashlar",
                      "Ваксинатсияҳо", "Вакцинации", "Vaccinations", "Vaccinations"}},
    {"disease", {"疫病", "كېسەللىك", "Ауру", "Оору", "Kasallik", "Беморӣ", "Болезнь", "Disease",
                 "Maladie"}},
    {"date", {"免疫日期", "ئەملەنگەن چېسلا", "Егілген күні", "Эмделген күнү", "Emlangan sana",
              "Санаи ваксина", "Дата вакцинации", "Date", "Date"}},
    {"batch", {"批号", "تۈركۈم نومۇرى", "Серия нөмірі", "Серия номери", "Seriya raqami",
               "Рақами силсила", "Серия", "Batch", "Lot"}},
    {"no_vaccinations", {"无", "يوق", "Жоқ", "Жок", "Yoʻq", "Нест", "Нет", "None", "Aucune"}},
    {"vet", {"官方兽医", "ھايۋانات دوختۇرى", "Ветеринариялық дәрігер", "Ветеринардык дарыгер",
             "Veterinar shifokor", "Духтури байтор", "Ветеринарный врач", "Veterinarian",
             "Vétérinaire officiel"}},
    {"owner", {"货主", "مال ئىگىسى", "Мал иесі", "Малдын ээси", "Egasi", "Соҳиб", "Владелец",
               "Owner", "Propriétaire"}},
    {"phone_last4", {"电话（后4位）", "تېلېفون (ئاخىرقى 4 خانە)", "Телефон (соңғы 4 сан)",
                     "Телефон (акыркы 4 сан)", "Telefon (oxirgi 4 raqam)",
                     "Телефон (4 рақами охир)", "Телефон (последние 4 цифры)",
                     "Phone (last 4 digits)", "Téléphone (4 derniers chiffres)"}},
    {"verify_heading", {"如何核验", "قانداق تەكشۈرۈش", "Қалай тексеру керек",
                        "Кантип текшерүү керек", "Qanday tekshirish kerak",
                        "Чӣ тавр санҷидан лозим", "Как проверить", "How to verify",
                        "Comment vérifier"}},
    // Under the small QR code of the verification address (serve --public-url).
    {"verify_qr",
     {"扫码打开核验页面", "سكانېرلاپ تەكشۈرۈش بېتىنى ئېچىڭ", "Тексеру бетін ашу үшін сканерлеңіз",
      "Текшерүү барагын ачуу үчүн сканерлеңиз", "Tekshirish sahifasini ochish uchun skanerlang",
      "Барои кушодани саҳифаи санҷиш скан кунед", "Отсканируйте, чтобы открыть страницу проверки",
      "Scan to open the verify page", "Scannez pour ouvrir la page de vérification"}},
    // {url} is replaced by the verification address.
    {"verify_text",
     {"使用 HerdPass 应用扫描二维码，或打开 {url} 扫码。将核验签名、有效期和撤销名单，离线也可核验。",
      "QR كودىنى HerdPass ئەپى بىلەن سكانېرلاڭ ياكى {url} نى ئېچىپ ئۇ يەردە سكانېرلاڭ. ئىمزا، "
      "ئىناۋەتلىك مۇددىتى ۋە بىكار قىلىنغان ئىسپاتنامىلەر تىزىملىكى تەكشۈرۈلىدۇ، تورسىزمۇ بولىدۇ.",
      "QR кодты HerdPass қосымшасымен сканерлеңіз немесе {url} ашып, сол жерде сканерлеңіз. "
      "Қолтаңба, жарамдылық мерзімі және кері қайтарылған сертификаттар тізімі тексеріледі, "
      "интернетсіз де.",
      "QR кодду HerdPass тиркемеси менен сканерлеңиз же {url} ачып, ошол жерде сканерлеңиз. Кол "
      "тамга, жарактуулук мөөнөтү жана жокко чыгарылган сертификаттардын тизмеси текшерилет, "
      "интернетсиз да.",
      "QR kodni HerdPass ilovasi bilan skanerlang yoki {url} manzilini ochib, u yerda skanerlang. "
      "Imzo, amal qilish muddati va bekor qilingan sertifikatlar roʻyxati tekshiriladi, "
      "internetsiz ham.",
      "Рамзи QR-ро бо барномаи HerdPass скан кунед ё {url}-ро кушоед ва дар он ҷо скан кунед. "
      "Имзо, мӯҳлати эътибор ва рӯйхати шаҳодатномаҳои бекоршуда санҷида мешаванд, ҳатто бе "
      "интернет.",
      "Отсканируйте QR-код в приложении HerdPass или откройте {url} и отсканируйте его там. "
      "Проверяются подпись, срок действия и список отозванных сертификатов, в том числе без "
      "интернета.",
      "Scan the QR code with the HerdPass app, or open {url} and scan it there. The signature, "
      "the validity period and the revocation list are checked, offline too.",
      "Scannez le code QR avec l’application HerdPass, ou ouvrez {url} et scannez-le. La "
      "signature, la période de validité et la liste de révocation sont vérifiées, même hors "
      "ligne."}},
    {"signed_note",
     {"本证明已电子签名。以二维码中的签名数据为准：接收动物前请扫码核验。",
      "بۇ ئىسپاتنامىگە ئېلېكترونلۇق ئىمزا قويۇلغان. پەقەت QR كودىدىكى ئىمزالانغان ئۇچۇرلا "
      "ئىناۋەتلىك: ھايۋانلارنى قوبۇل قىلىشتىن بۇرۇن ئۇنى سكانېرلاڭ.",
      "Сертификатқа электрондық қолтаңба қойылған. Тек QR кодтағы қол қойылған деректер ғана "
      "жарамды: малды қабылдамас бұрын оны сканерлеңіз.",
      "Сертификатка электрондук кол тамга коюлган. QR коддогу кол коюлган маалыматтар гана негиз "
      "болот: малды кабыл алуудан мурун аны сканерлеңиз.",
      "Sertifikat elektron imzo bilan imzolangan. Faqat QR koddagi imzolangan maʼlumotlar haqiqiy "
      "hisoblanadi: hayvonlarni qabul qilishdan oldin uni skanerlang.",
      "Шаҳодатнома бо имзои электронӣ имзо шудааст. Танҳо маълумоти имзошудаи рамзи QR эътибор "
      "дорад: пеш аз қабули ҳайвонот онро скан кунед.",
      "Сертификат подписан электронной подписью. Действительны только подписанные данные в "
      "QR-коде: отсканируйте его перед приёмкой животных.",
      "Electronically signed. Only the signed data in the QR code counts: scan it before "
      "accepting the animals.",
      "Certificat signé électroniquement. Seules les données signées du code QR font foi : "
      "scannez-le avant d’accepter les animaux."}},
    {"certificate_id", {"证明ID", "ئىسپاتنامە ID", "Сертификат ID", "Сертификаттын ID",
                        "Sertifikat ID", "ID-и шаҳодатнома", "ID сертификата", "Certificate ID",
                        "Identifiant du certificat"}},
    {"signing_key", {"签名密钥", "ئىمزا ئاچقۇچى", "Қолтаңба кілті", "Кол тамга ачкычы",
                     "Imzo kaliti", "Калиди имзо", "Ключ подписи", "Signing key",
                     "Clé de signature"}},

    // --- certificate status (domain/certificate.h; "expired" derived from the clock) ---
    {"status.issued", {"已签发", "بېرىلگەن", "Берілген", "Берилген", "Berilgan", "Додашуда",
                       "Выдан", "Issued", "Délivré"}},
    {"status.consumed", {"已使用", "ئىشلىتىلگەن", "Пайдаланылған", "Колдонулган",
                         "Foydalanilgan", "Истифодашуда", "Использован", "Used", "Utilisé"}},
    {"status.revoked", {"已撤销", "بىكار قىلىنغان", "Кері қайтарылған", "Жокко чыгарылган",
                        "Bekor qilingan", "Бекоршуда", "Отозван", "Revoked", "Révoqué"}},
    {"status.expired", {"已过期", "ۋاقتى ئۆتكەن", "Мерзімі өткен", "Мөөнөтү бүткөн",
                        "Muddati oʻtgan", "Мӯҳлаташ гузаштааст", "Срок истёк", "Expired",
                        "Expiré"}},
};
// clang-format on

template <size_t A, size_t B>
constexpr std::array<Translation, A + B> Concat(const Translation (&a)[A],
                                                const Translation (&b)[B]) {
  std::array<Translation, A + B> out{};
  std::copy(std::begin(a), std::end(a), out.begin());
  std::copy(std::begin(b), std::end(b), out.begin() + A);
  return out;
}

constexpr auto kTable = Concat(kLabelRows, detail::kNameRows);

}  // namespace

std::span<const Translation> PrintTranslations() { return kTable; }

size_t PrintLanguageIndex(std::string_view lang) {
  for (size_t i = 0; i < kPrintLanguages.size(); ++i) {
    if (kPrintLanguages[i] == lang) return i;
  }
  return kEnglish;
}

std::string_view Translate(std::string_view key, size_t lang_index) {
  if (lang_index >= kPrintLanguages.size()) lang_index = kEnglish;
  for (const Translation& t : kTable) {
    if (t.key != key) continue;
    return t.text[lang_index].empty() ? t.text[kEnglish] : t.text[lang_index];
  }
  return {};
}

}  // namespace herdpass::cert
