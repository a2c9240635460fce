// The translation table of the printed certificate (cert/print_labels.h).
//
// Columns: zh-Hans, ug, kk, ky, uz, tg, ru, en, fr. Uzbek is written in the official Latin alphabet
// with U+02BB (oʻ, gʻ) and U+02BC (the tutuq belgisi), not ASCII apostrophes. Disease and species
// names follow the usual veterinary terms of each country; a native speaker's review is welcome,
// especially for the Uyghur, Tajik and Kyrgyz disease names.
#include "cert/print_labels.h"

namespace herdpass::cert {
namespace {

// clang-format off
constexpr Translation kTable[] = {
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

    // --- purposes (domain/certificate.h PurposeName) ---
    {"purpose.slaughter", {"屠宰", "بوغۇزلاش", "Сою", "Союу", "Soʻyish", "Забҳ", "Убой",
                           "Slaughter", "Abattage"}},
    {"purpose.sale", {"销售", "سېتىش", "Сату", "Сатуу", "Sotish", "Фурӯш", "Продажа", "Sale",
                      "Vente"}},
    {"purpose.breeding", {"种用", "نەسىل ئۆستۈرۈش", "Асылдандыру", "Тукум өстүрүү",
                          "Naslchilik", "Зотпарварӣ", "Племенное разведение", "Breeding",
                          "Reproduction"}},
    {"purpose.grazing", {"放牧", "ئوتلىتىش", "Жайылым", "Жайыт", "Yaylovda boqish", "Чаро",
                         "Выпас", "Grazing", "Pâturage"}},
    {"purpose.export", {"出口", "ئېكسپورت", "Экспорт", "Экспорт", "Eksport", "Содирот",
                        "Экспорт", "Export", "Exportation"}},

    // --- species of the default catalogue (domain/catalogue.cpp) ---
    {"species.cattle", {"牛", "كالا", "Ірі қара мал", "Бодо мал", "Qoramol", "Чорвои калон",
                        "Крупный рогатый скот", "Cattle", "Bovins"}},
    {"species.sheep", {"绵羊", "قوي", "Қой", "Кой", "Qoʻy", "Гӯсфанд", "Овцы", "Sheep",
                       "Ovins"}},
    {"species.goat", {"山羊", "ئۆچكە", "Ешкі", "Эчки", "Echki", "Буз", "Козы", "Goats",
                      "Caprins"}},
    {"species.camel", {"骆驼", "تۆگە", "Түйе", "Төө", "Tuya", "Шутур", "Верблюды", "Camels",
                       "Camélidés"}},
    {"species.horse", {"马", "ئات", "Жылқы", "Жылкы", "Ot", "Асп", "Лошади", "Horses",
                       "Équidés"}},
    {"species.yak", {"牦牛", "قوتاز", "Қодас", "Топоз", "Qoʻtos", "Қутос", "Яки", "Yaks",
                     "Yacks"}},
    {"species.poultry", {"家禽", "ئۆي قۇشلىرى", "Үй құстары", "Үй куштары", "Parranda",
                         "Паррандаҳо", "Птица", "Poultry", "Volailles"}},
    {"species.pig", {"猪", "چوشقا", "Шошқа", "Чочко", "Choʻchqa", "Хук", "Свиньи", "Pigs",
                     "Porcins"}},

    // --- diseases of the default catalogue (domain/catalogue.cpp) ---
    {"disease.FMD-O", {"口蹄疫（O型）", "ئېغىز-تۇياق كېسىلى (O تىپى)", "Аусыл (O типі)",
                       "Шарп (O тиби)", "Oqsil (O tipi)", "Табларза (навъи O)", "Ящур (тип O)",
                       "Foot-and-mouth disease (type O)", "Fièvre aphteuse (type O)"}},
    {"disease.FMD-A", {"口蹄疫（A型）", "ئېغىز-تۇياق كېسىلى (A تىپى)", "Аусыл (A типі)",
                       "Шарп (A тиби)", "Oqsil (A tipi)", "Табларза (навъи A)", "Ящур (тип A)",
                       "Foot-and-mouth disease (type A)", "Fièvre aphteuse (type A)"}},
    {"disease.FMD-ASIA1", {"口蹄疫（亚洲1型）", "ئېغىز-تۇياق كېسىلى (ئاسىيا-1 تىپى)",
                           "Аусыл (Азия-1 типі)", "Шарп (Азия-1 тиби)", "Oqsil (Osiyo-1 tipi)",
                           "Табларза (навъи Осиё-1)", "Ящур (тип Азия-1)",
                           "Foot-and-mouth disease (type Asia1)",
                           "Fièvre aphteuse (type Asia1)"}},
    {"disease.PPR", {"小反刍兽疫", "ئۇششاق كۆشىگۈچى ھايۋانلار ۋاباسى",
                     "Ұсақ күйіс қайыратын малдың обасы", "Майда кепшөөчү малдын чумасы",
                     "Mayda kavsh qaytaruvchi hayvonlar oʻlati", "Тоуни чорвои хурди кавшакунанда",
                     "Чума мелких жвачных", "Peste des petits ruminants",
                     "Peste des petits ruminants"}},
    {"disease.BRUCELLOSIS", {"布鲁氏菌病", "بىرۇتسېللا كېسىلى", "Бруцеллез", "Бруцеллёз",
                             "Brutsellyoz", "Бруселлёз", "Бруцеллёз", "Brucellosis",
                             "Brucellose"}},
    {"disease.ANTHRAX", {"炭疽", "كۆيدۈرگە", "Күйдіргі", "Куйдургу", "Kuydirgi", "Захми сибирӣ",
                         "Сибирская язва", "Anthrax", "Fièvre charbonneuse"}},
    {"disease.SGP", {"羊痘", "قوي-ئۆچكە چېچىكى", "Қой және ешкі шешегі", "Кой жана эчки чечеги",
                     "Qoʻy va echki chechagi", "Обилаи гӯсфанду буз", "Оспа овец и коз",
                     "Sheep pox and goat pox", "Clavelée et variole caprine"}},
    {"disease.LSD", {"牛结节性皮肤病", "كالا تۈگۈنچىلىك تېرە كېسىلى",
                     "Ірі қара малдың нодулярлы дерматиті",
                     "Ири мүйүздүү малдын нодулярдык дерматити", "Qoramolning nodulyar dermatiti",
                     "Дерматити нодулярии чорвои калон", "Нодулярный дерматит КРС",
                     "Lumpy skin disease", "Dermatose nodulaire contagieuse"}},
    {"disease.HPAI", {"高致病性禽流感", "يۇقىرى پاتوگېنلىق قۇش زۇكىمى",
                      "Жоғары патогенді құс тұмауы", "Жогорку патогендүү куш тумоосу",
                      "Yuqori patogenli parranda grippi", "Зукоми баландпатогении паррандаҳо",
                      "Высокопатогенный грипп птиц", "Highly pathogenic avian influenza",
                      "Influenza aviaire hautement pathogène"}},
    {"disease.ND", {"新城疫", "نيۇكاسىل كېسىلى", "Ньюкасл ауруы", "Ньюкасл оорусу",
                    "Nyukasl kasalligi", "Бемории Нюкасл", "Болезнь Ньюкасла", "Newcastle disease",
                    "Maladie de Newcastle"}},
    {"disease.RABIES", {"狂犬病", "قۇتۇرۇش كېسىلى", "Құтыру", "Кутурма", "Quturish", "Ҳорӣ",
                        "Бешенство", "Rabies", "Rage"}},
    {"disease.CCPP", {"山羊传染性胸膜肺炎", "ئۆچكە يۇقۇملۇق پلېۋرو-ئۆپكە ياللۇغى",
                      "Ешкілердің жұқпалы плевропневмониясы",
                      "Эчкилердин жугуштуу плевропневмониясы",
                      "Echkilarning yuqumli plevropnevmoniyasi",
                      "Плевропневмонияи сирояткунандаи бузҳо",
                      "Контагиозная плевропневмония коз", "Contagious caprine pleuropneumonia",
                      "Pleuropneumonie contagieuse caprine"}},
    {"disease.ECHINO", {"棘球蚴病（包虫病）", "ئېخىنوكوككوز", "Эхинококкоз", "Эхинококкоз",
                        "Exinokokkoz", "Эхинококкоз", "Эхинококкоз", "Echinococcosis",
                        "Échinococcose"}},
};
// clang-format on

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
