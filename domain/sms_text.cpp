#include "domain/sms_text.h"

#include <array>

#include "domain/sms.h"

namespace herdpass {
namespace {

// One language's texts. Placeholders: {disease}, {date} in the coverage phrases.
struct SmsTexts {
  const char* code;
  SmsReceiptWords receipt;
  const char* status_prefix;     // before the diseases
  const char* status_separator;  // between them
  const char* covered;           // {disease} {date}: protected through date
  const char* overdue_since;     // {disease} {date}: lapsed on date
  const char* overdue;           // {disease}: lapsed (doses never reached the whole flock)
  const char* never;             // {disease}: never vaccinated
  const char* no_animals;
  const char* stopped;
  const char* started;
  const char* help;
  const char*
      owner_code;  // {code}: the one-time code to /me, first so that phones offer to copy it
  SmsReminderWords reminder;
  // Words the owner may send, folded to lower case (ParseSmsKeyword compares folded text).
  std::array<const char*, 3> status_words;
  std::array<const char*, 3> stop_words;
  std::array<const char*, 3> start_words;
  // LANG (issue 15): the answer in the language chosen, the codes when none was named, the words.
  const char* language_set;
  const char* language_help;
  std::array<const char*, 3> language_words;
};

// The nine languages of web/src/languages.ts. English and French keep to GSM-7 (French with the
// accents it has: é, è, à; "suspendre" rather than "arrêter"); Uzbek is written
// with the ASCII apostrophe (o', g'), as Uzbek SMS usually are, so that it stays GSM-7 too.
constexpr std::array<SmsTexts, 9> kTexts = {{
    {"en",
     {"HerdPass {day}: vaccinated {lines}. {by}", "{disease} {head} head, {vaccine} lot {batch}",
      "; ", "By {who}, {station}.", "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} covered to {date}",
     "{disease} overdue since {date}",
     "{disease} overdue",
     "{disease} never vaccinated",
     "HerdPass: no animals are registered to this number.",
     "HerdPass: messages stopped. Certificates still come. Send START to resume.",
     "HerdPass: messages on. Send STATUS for your animals, STOP to stop.",
     "HerdPass: send STATUS for your animals' vaccinations, STOP to stop messages, START to "
     "resume.",
     "{code} is your HerdPass code. It is good for 10 minutes. Do not give it to anyone.",
     {"HerdPass reminder: {lines}. Bring them to the next vaccination.",
      "{disease} {head} head, protection ends {date}", "; "},
     {"status", "", ""},
     {"stop", "", ""},
     {"start", "", ""},
     "HerdPass: messages will come in English.",
     "HerdPass: send LANG and a language: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"lang", "language", ""}},
    {"ru",
     {"HerdPass {day}: привито {lines}. {by}", "{disease} {head} гол., {vaccine} серия {batch}",
      "; ", "Вакцинатор {who}, {station}.", "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} защищены до {date}",
     "{disease} просрочено с {date}",
     "{disease} просрочено",
     "{disease} не привиты",
     "HerdPass: на этот номер животные не зарегистрированы.",
     "HerdPass: сообщения отключены. Сертификаты будут приходить. Чтобы включить, отправьте СТАРТ.",
     "HerdPass: сообщения включены. СТАТУС - прививки ваших животных, СТОП - отключить.",
     "HerdPass: СТАТУС - прививки ваших животных, СТОП - отключить сообщения, СТАРТ - включить.",
     "{code} - ваш код HerdPass. Действует 10 минут. Никому не сообщайте.",
     {"HerdPass, напоминание: {lines}. Приведите животных на вакцинацию.",
      "{disease} {head} гол., защита истекает {date}", "; "},
     {"статус", "", ""},
     {"стоп", "", ""},
     {"старт", "", ""},
     "HerdPass: сообщения будут приходить на русском языке.",
     "HerdPass: отправьте ЯЗЫК и код языка: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"язык", "", ""}},
    {"kk",
     {"HerdPass {day}: вакцина егілді {lines}. {by}",
      "{disease} {head} бас, {vaccine} сериясы {batch}", "; ", "Вакцинатор {who}, {station}.",
      "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} {date} дейін қорғалған",
     "{disease} {date} бастап мерзімі өткен",
     "{disease} мерзімі өткен",
     "{disease} егілмеген",
     "HerdPass: бұл нөмірге мал тіркелмеген.",
     "HerdPass: хабарламалар тоқтатылды. Сертификаттар келе береді. Қайта қосу үшін БАСТА деп "
     "жіберіңіз.",
     "HerdPass: хабарламалар қосылды. ЖАҒДАЙ - малыңыздың екпелері, ТОҚТАТ - тоқтату.",
     "HerdPass: ЖАҒДАЙ - малыңыздың екпелері, ТОҚТАТ - хабарламаларды тоқтату, БАСТА - қосу.",
     "{code} - HerdPass кодыңыз. 10 минут жарамды. Оны ешкімге бермеңіз.",
     {"HerdPass, еске салу: {lines}. Малды екпеге әкеліңіз.",
      "{disease} {head} бас, қорғаныс {date} аяқталады", "; "},
     {"жағдай", "", ""},
     {"тоқтат", "тоқтату", ""},
     {"баста", "бастау", ""},
     "HerdPass: хабарламалар енді қазақ тілінде келеді.",
     "HerdPass: ТІЛ сөзін және тіл кодын жіберіңіз: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"тіл", "", ""}},
    {"ky",
     {"HerdPass {day}: эмделди {lines}. {by}", "{disease} {head} баш, {vaccine} сериясы {batch}",
      "; ", "Эмдеген {who}, {station}.", "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} {date} чейин корголгон",
     "{disease} {date} тартып мөөнөтү өткөн",
     "{disease} мөөнөтү өткөн",
     "{disease} эмделген эмес",
     "HerdPass: бул номерге мал катталган эмес.",
     "HerdPass: билдирүүлөр токтотулду. Сертификаттар келе берет. Кайра күйгүзүү үчүн БАШТА деп "
     "жөнөтүңүз.",
     "HerdPass: билдирүүлөр күйгүзүлдү. АБАЛ - малыңыздын эмдөөлөрү, ТОКТОТ - токтотуу.",
     "HerdPass: АБАЛ - малыңыздын эмдөөлөрү, ТОКТОТ - билдирүүлөрдү токтотуу, БАШТА - күйгүзүү.",
     "{code} - HerdPass кодуңуз. 10 мүнөт жарактуу. Аны эч кимге бербеңиз.",
     {"HerdPass, эскертүү: {lines}. Малды эмдөөгө алып келиңиз.",
      "{disease} {head} баш, коргоо {date} бүтөт", "; "},
     {"абал", "", ""},
     {"токтот", "", ""},
     {"башта", "", ""},
     "HerdPass: билдирүүлөр эми кыргыз тилинде келет.",
     "HerdPass: ТИЛ сөзүн жана тилдин кодун жөнөтүңүз: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"тил", "", ""}},
    {"uz",
     {"HerdPass {day}: emlandi {lines}. {by}", "{disease} {head} bosh, {vaccine} seriya {batch}",
      "; ", "Emlovchi {who}, {station}.", "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} {date} gacha himoyalangan",
     "{disease} {date} dan muddati o'tgan",
     "{disease} muddati o'tgan",
     "{disease} emlanmagan",
     "HerdPass: bu raqamga hayvon ro'yxatdan o'tmagan.",
     "HerdPass: xabarlar to'xtatildi. Sertifikatlar kelaveradi. Qayta yoqish uchun BOSHLA deb "
     "yuboring.",
     "HerdPass: xabarlar yoqildi. HOLAT - hayvonlaringiz emlanishi, TO'XTAT - to'xtatish.",
     "HerdPass: HOLAT - hayvonlaringiz emlanishi, TO'XTAT - xabarlarni to'xtatish, BOSHLA - "
     "yoqish.",
     "{code} - HerdPass kodingiz. 10 daqiqa amal qiladi. Uni hech kimga bermang.",
     {"HerdPass eslatma: {lines}. Hayvonlarni emlashga olib keling.",
      "{disease} {head} bosh, himoya {date} tugaydi", "; "},
     {"holat", "", ""},
     {"to'xtat", "toxtat", ""},
     {"boshla", "", ""},
     "HerdPass: xabarlar endi o'zbek tilida keladi.",
     "HerdPass: TIL va til kodini yuboring: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"til", "", ""}},
    {"tg",
     {"HerdPass {day}: эм карда шуд {lines}. {by}",
      "{disease} {head} сар, {vaccine} силсилаи {batch}", "; ", "Ваксинатор {who}, {station}.",
      "{station}."},
     "HerdPass: ",
     "; ",
     "{disease} то {date} муҳофизат шудааст",
     "{disease} аз {date} мӯҳлаташ гузаштааст",
     "{disease} мӯҳлаташ гузаштааст",
     "{disease} эм карда нашудааст",
     "HerdPass: ба ин рақам чорво сабт нашудааст.",
     "HerdPass: паёмҳо қатъ карда шуданд. Шаҳодатномаҳо меоянд. Барои аз нав фаъол кардан ОҒОЗ "
     "фиристед.",
     "HerdPass: паёмҳо фаъол шуданд. ҲОЛАТ - эмкунии чорвои шумо, ИСТ - қатъ кардан.",
     "HerdPass: ҲОЛАТ - эмкунии чорвои шумо, ИСТ - қатъи паёмҳо, ОҒОЗ - фаъол кардан.",
     "{code} - рамзи HerdPass. 10 дақиқа эътибор дорад. Ба касе надиҳед.",
     {"HerdPass, ёдрас: {lines}. Чорворо ба эмкунӣ биёред.",
      "{disease} {head} сар, муҳофизат {date} тамом мешавад", "; "},
     {"ҳолат", "", ""},
     {"ист", "", ""},
     {"оғоз", "", ""},
     "HerdPass: паёмҳо акнун бо забони тоҷикӣ меоянд.",
     "HerdPass: ЗАБОН ва рамзи забонро фиристед: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"забон", "", ""}},
    {"ug",
     {"HerdPass {day}: ئەملەندى {lines}. {by}", "{disease} {head} باش، {vaccine} تۈركۈمى {batch}",
      "؛ ", "ئەملىگۈچى {who}، {station}.", "{station}."},
     "HerdPass: ",
     "؛ ",
     "{disease} {date} گىچە قوغدالغان",
     "{disease} {date} دىن باشلاپ ۋاقتى ئۆتكەن",
     "{disease} ۋاقتى ئۆتكەن",
     "{disease} ئەملەنمىگەن",
     "HerdPass: بۇ نومۇرغا چارۋا تىزىملانمىغان.",
     "HerdPass: ئۇچۇرلار توختىتىلدى. گۇۋاھنامىلەر كېلىۋېرىدۇ. قايتا ئېچىش ئۈچۈن «باشلا» دەپ "
     "يوللاڭ.",
     "HerdPass: ئۇچۇرلار ئېچىلدى. «ھالەت» - چارۋىلىرىڭىزنىڭ ئەملىنىشى، «توختا» - توختىتىش.",
     "HerdPass: «ھالەت» - چارۋىلىرىڭىزنىڭ ئەملىنىشى، «توختا» - ئۇچۇرلارنى توختىتىش، «باشلا» - "
     "ئېچىش.",
     "{code} - HerdPass كودىڭىز. 10 مىنۇت ئىناۋەتلىك. ئۇنى ھېچكىمگە بەرمەڭ.",
     {"HerdPass ئەسكەرتىش: {lines}. چارۋىلارنى ئەملەشكە ئېلىپ كېلىڭ.",
      "{disease} {head} باش، قوغداش {date} دە ئاخىرلىشىدۇ", "؛ "},
     {"ھالەت", "", ""},
     {"توختا", "", ""},
     {"باشلا", "", ""},
     "HerdPass: ئۇچۇرلار ئەمدى ئۇيغۇر تىلىدا كېلىدۇ.",
     "HerdPass: «تىل» ۋە تىل كودىنى يوللاڭ: EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"تىل", "", ""}},
    {"zh-Hans",
     {"HerdPass {day}：已接种 {lines}。{by}", "{disease} {head}头，{vaccine} 批号 {batch}", "；",
      "接种员 {who}，{station}。", "{station}。"},
     "HerdPass：",
     "；",
     "{disease} 保护至 {date}",
     "{disease} 自 {date} 起已过期",
     "{disease} 已过期",
     "{disease} 未接种",
     "HerdPass：此号码下没有登记的牲畜。",
     "HerdPass：已停止发送消息，检疫证明仍会发送。发送“开始”可恢复。",
     "HerdPass：已恢复消息。发送“状态”查询牲畜免疫情况，“停止”停止消息。",
     "HerdPass：发送“状态”查询牲畜免疫情况，“停止”停止消息，“开始”恢复消息。",
     "{code} 是您的 HerdPass 验证码，10分钟内有效，请勿告诉他人。",
     {"HerdPass 提醒：{lines}。请带牲畜接种疫苗。", "{disease} {head}头，免疫保护 {date} 到期",
      "；"},
     {"状态", "", ""},
     {"停止", "", ""},
     {"开始", "", ""},
     "HerdPass：今后消息将以中文发送。",
     "HerdPass：发送“语言”和语言代码：EN, RU, KK, KY, UZ, TG, UG, ZH, FR。",
     {"语言", "", ""}},
    {"fr",
     {"HerdPass, vaccination du {day} : {lines}. {by}",
      "{disease} effectif {head}, {vaccine} lot {batch}", " ; ", "Par {who}, {station}.",
      "{station}."},
     "HerdPass : ",
     " ; ",
     "{disease} protégé jusqu'au {date}",
     "{disease} expiré depuis le {date}",
     "{disease} expiré",
     "{disease} jamais vacciné",
     "HerdPass : aucun animal n'est enregistré à ce numéro.",
     "HerdPass : messages suspendus. Les certificats restent envoyés. Envoyez REPRISE pour les "
     "réactiver.",
     "HerdPass : messages réactivés. ETAT pour vos animaux, STOP pour les suspendre.",
     "HerdPass : envoyez ETAT pour les vaccinations de vos animaux, STOP pour suspendre les "
     "messages, REPRISE pour les réactiver.",
     "{code} est votre code HerdPass. Il est valable 10 minutes. Ne le donnez à personne.",
     {"HerdPass, rappel : {lines}. Faites vacciner vos animaux.",
      "{disease} effectif {head}, fin de protection le {date}", " ; "},
     {"etat", "état", ""},
     {"stop", "arret", "arrêt"},
     {"reprise", "", ""},
     "HerdPass : les messages arriveront en français.",
     "HerdPass : envoyez LANGUE et un code : EN, RU, KK, KY, UZ, TG, UG, ZH, FR.",
     {"langue", "", ""}},
}};

const SmsTexts& TextsFor(std::string_view language) {
  for (const SmsTexts& t : kTexts) {
    if (language == t.code) return t;
  }
  return kTexts[0];  // en
}

std::string_view CountryOf(std::string_view authority) {
  return authority.substr(0, authority.find('-'));
}

// Lower case of the letters owners' keywords use: ASCII, Latin-1, Cyrillic (Russian and the
// Cyrillic letters of Kazakh, Kyrgyz and Tajik), and the Uzbek apostrophes folded to "'". Arabic
// and Chinese have no case. Hand-written: domain/ links no Unicode library (ICU) for a dozen words.
char32_t Fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF)) {
    return c % 2 == 0 ? c + 1 : c;
  }
  if (c >= 0x4C1 && c <= 0x4CE) return c % 2 == 1 ? c + 1 : c;
  if (c == 0x4C0) return 0x4CF;
  if (c == 0x2BB || c == 0x2BC || c == 0x2018 || c == 0x2019 || c == '`') return '\'';
  return c;
}

std::u32string Folded(std::string_view utf8) {
  std::u32string out;
  for (size_t i = 0; i < utf8.size();) out.push_back(Fold(NextCodePoint(utf8, i)));
  return out;
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0 || c == 0x3000;
}

bool AnyIs(const std::array<const char*, 3>& words, const std::u32string& word) {
  for (const char* w : words) {
    if (*w != '\0' && Folded(w) == word) return true;
  }
  return false;
}

}  // namespace

bool IsSmsLanguage(std::string_view code) {
  for (const SmsTexts& t : kTexts) {
    if (code == t.code) return true;
  }
  return false;
}

std::string SmsLanguageOfRegion(std::string_view authority) {
  const std::string_view country = CountryOf(authority);
  if (country == "KZ") return "kk";
  if (country == "KG") return "ky";
  if (country == "UZ") return "uz";
  if (country == "TJ") return "tg";
  if (country == "CN") {
    const std::string_view rest = authority.substr(std::min(authority.size(), size_t{3}));
    const std::string_view province = rest.substr(0, rest.find('-'));
    return province == "65" || province == "XJ" ? "ug" : "zh-Hans";
  }
  if (country == "FR") return "fr";
  for (std::string_view ru : {"RU", "BY", "TM", "AZ", "AM", "MD"}) {
    if (country == ru) return "ru";
  }
  return "en";
}

std::string SmsLanguageFor(std::string_view stored, std::string_view authority) {
  return IsSmsLanguage(stored) ? std::string(stored) : SmsLanguageOfRegion(authority);
}

std::string FillSmsPattern(std::string_view pattern,
                           const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    bool replaced = false;
    if (pattern[i] == '{') {
      for (const auto& [name, value] : values) {
        if (pattern.substr(i + 1, name.size()) == name &&
            pattern.substr(i + 1 + name.size(), 1) == "}") {
          out += value;
          i += name.size() + 2;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += pattern[i++];
  }
  return out;
}

const SmsReceiptWords& ReceiptWordsFor(const std::string& language) {
  return TextsFor(language).receipt;
}

std::string RenderStatusReply(const std::vector<DiseaseCoverage>& coverage,
                              const std::string& language) {
  const SmsTexts& t = TextsFor(language);
  if (coverage.empty()) return t.no_animals;
  std::string text = t.status_prefix;
  for (size_t i = 0; i < coverage.size(); ++i) {
    const DiseaseCoverage& c = coverage[i];
    const char* phrase = t.never;
    std::string date;
    if (c.state == CoverageState::kCovered && c.covered_until) {
      phrase = t.covered;
      date = c.covered_until->ToString();
    } else if (c.state == CoverageState::kOverdue) {
      phrase = c.overdue_since ? t.overdue_since : t.overdue;
      if (c.overdue_since) date = c.overdue_since->ToString();
    }
    if (i > 0) text += t.status_separator;
    text += FillSmsPattern(phrase, {{"disease", c.disease}, {"date", date}});
  }
  return text + (language == "zh-Hans" ? "。" : ".");
}

std::string RenderOwnerCodeSms(const std::string& code, const std::string& language) {
  return FillSmsPattern(TextsFor(language).owner_code, {{"code", code}});
}

const SmsReminderWords& ReminderWordsFor(const std::string& language) {
  return TextsFor(language).reminder;
}

std::string RenderStopReply(const std::string& language) { return TextsFor(language).stopped; }
std::string RenderStartReply(const std::string& language) { return TextsFor(language).started; }
std::string RenderHelpReply(const std::string& language) { return TextsFor(language).help; }

const char* SmsKeywordName(SmsKeyword k) {
  switch (k) {
    case SmsKeyword::kNone:
      return "none";
    case SmsKeyword::kStatus:
      return "status";
    case SmsKeyword::kStop:
      return "stop";
    case SmsKeyword::kStart:
      return "start";
    case SmsKeyword::kLanguage:
      return "language";
  }
  return "none";
}

SmsKeyword ParseSmsKeyword(std::string_view text) {
  const std::u32string all = Folded(text);
  size_t begin = 0;
  while (begin < all.size() && IsSpace(all[begin])) ++begin;
  size_t end = begin;
  while (end < all.size() && !IsSpace(all[end])) ++end;
  // Trailing punctuation an owner may add ("stop!", "STATUS.", "状态。").
  while (end > begin && (all[end - 1] == '.' || all[end - 1] == '!' || all[end - 1] == '?' ||
                         all[end - 1] == 0x3002 || all[end - 1] == 0xFF01)) {
    --end;
  }
  const std::u32string word = all.substr(begin, end - begin);
  if (word.empty()) return SmsKeyword::kNone;
  for (const SmsTexts& t : kTexts) {
    if (AnyIs(t.status_words, word)) return SmsKeyword::kStatus;
    if (AnyIs(t.stop_words, word)) return SmsKeyword::kStop;
    if (AnyIs(t.start_words, word)) return SmsKeyword::kStart;
    if (AnyIs(t.language_words, word)) return SmsKeyword::kLanguage;
  }
  return SmsKeyword::kNone;
}

std::string SmsLanguageAsked(std::string_view text) {
  if (ParseSmsKeyword(text) != SmsKeyword::kLanguage) return "";
  const std::u32string all = Folded(text);
  size_t i = 0;
  while (i < all.size() && IsSpace(all[i])) ++i;
  while (i < all.size() && !IsSpace(all[i])) ++i;  // the keyword
  while (i < all.size() && IsSpace(all[i])) ++i;
  size_t end = i;
  while (end < all.size() && !IsSpace(all[end])) ++end;
  std::u32string code = all.substr(i, end - i);
  while (!code.empty() && (code.back() == '.' || code.back() == '!' || code.back() == 0x3002)) {
    code.pop_back();
  }
  if (code == U"zh" || code == U"zh-hans") return "zh-Hans";
  for (const SmsTexts& t : kTexts) {
    if (Folded(t.code) == code) return t.code;
  }
  return "";
}

std::string RenderLanguageReply(const std::string& language) {
  return TextsFor(language).language_set;
}
std::string RenderLanguageHelp(const std::string& language) {
  return TextsFor(language).language_help;
}

}  // namespace herdpass
