// What HerdPass says to owners, in their language, and the keywords they send (domain/sms_text.h).
#include "domain/sms_text.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/sms.h"
#include "domain/sms_certificate.h"
#include "domain/sms_receipt.h"
#include "domain/sms_reminder.h"

namespace herdpass {
namespace {

constexpr const char* kLanguages[] = {"zh-Hans", "ug", "kk", "ky", "uz", "tg", "ru", "en", "fr"};

VaccinationReceipt OneLineReceipt(const std::string& vaccinator = "aibek") {
  VaccinationReceipt r;
  r.day = Date::Parse("2026-12-07").value();
  r.vaccinator = vaccinator;
  r.station = "KZ-ABY";
  r.Add("FMD-O", "FMD-OA-INACT", "B-2026-1", 12);
  return r;
}

TEST(SmsLanguageTest, TheRegionChoosesTheDefaultLanguage) {
  EXPECT_EQ(SmsLanguageOfRegion("KZ-ABY"), "kk");
  EXPECT_EQ(SmsLanguageOfRegion("KZ"), "kk");
  EXPECT_EQ(SmsLanguageOfRegion("KG-C"), "ky");
  EXPECT_EQ(SmsLanguageOfRegion("UZ-TK"), "uz");
  EXPECT_EQ(SmsLanguageOfRegion("TJ-DU"), "tg");
  EXPECT_EQ(SmsLanguageOfRegion("CN-65-650203"), "ug");  // Xinjiang by its code
  EXPECT_EQ(SmsLanguageOfRegion("CN-XJ"), "ug");
  EXPECT_EQ(SmsLanguageOfRegion("CN-11"), "zh-Hans");
  EXPECT_EQ(SmsLanguageOfRegion("CN-650"), "zh-Hans");  // not the province 65
  EXPECT_EQ(SmsLanguageOfRegion("RU-ALT"), "ru");
  EXPECT_EQ(SmsLanguageOfRegion("FR-75"), "fr");
  EXPECT_EQ(SmsLanguageOfRegion("MN-1"), "en");
  EXPECT_EQ(SmsLanguageOfRegion(""), "en");
}

TEST(SmsLanguageTest, AStoredLanguageWinsWhenItIsOneOfTheNine) {
  EXPECT_EQ(SmsLanguageFor("ru", "KZ-ABY"), "ru");
  EXPECT_EQ(SmsLanguageFor("", "KZ-ABY"), "kk");
  EXPECT_EQ(SmsLanguageFor("de", "KG-C"), "ky");
  EXPECT_EQ(SmsLanguageFor("zh", "CN-11"), "zh-Hans");  // only the web app's spelling counts
  for (const char* l : kLanguages) EXPECT_TRUE(IsSmsLanguage(l)) << l;
  EXPECT_FALSE(IsSmsLanguage("EN"));
}

TEST(SmsReceiptTextTest, EachLanguageHasItsOwnReceipt) {
  const VaccinationReceipt r = OneLineReceipt();
  EXPECT_EQ(RenderReceipt(r, "en"),
            "HerdPass 2026-12-07: vaccinated FMD-O 12 head, FMD-OA-INACT lot B-2026-1. By aibek, "
            "KZ-ABY.");
  EXPECT_EQ(RenderReceipt(r, "kk"),
            "HerdPass 2026-12-07: вакцина егілді FMD-O 12 бас, FMD-OA-INACT сериясы B-2026-1. "
            "Вакцинатор aibek, KZ-ABY.");
  EXPECT_EQ(RenderReceipt(r, "ru"),
            "HerdPass 2026-12-07: привито FMD-O 12 гол., FMD-OA-INACT серия B-2026-1. Вакцинатор "
            "aibek, KZ-ABY.");
  EXPECT_EQ(RenderReceipt(r, "zh-Hans"),
            "HerdPass 2026-12-07：已接种 FMD-O 12头，FMD-OA-INACT 批号 B-2026-1。接种员 aibek，"
            "KZ-ABY。");
  EXPECT_EQ(RenderReceipt(r, "fr"),
            "HerdPass, vaccination du 2026-12-07 : FMD-O effectif 12, FMD-OA-INACT lot B-2026-1. "
            "Par aibek, KZ-ABY.");
  EXPECT_EQ(RenderReceipt(r, "xx"), RenderReceipt(r, "en"));  // unknown: English
  std::set<std::string> texts;
  for (const char* l : kLanguages) {
    const std::string text = RenderReceipt(r, l);
    texts.insert(text);
    EXPECT_NE(text.find("12"), std::string::npos) << l;
    EXPECT_NE(text.find("B-2026-1"), std::string::npos) << l;
    EXPECT_NE(text.find("aibek"), std::string::npos) << l;
    // A receipt of one line: one segment in GSM-7, two in UCS-2 (70 characters a segment).
    const SmsEncoding e = EncodeForSms(text);
    EXPECT_EQ(e.segments, e.coding == SmsCoding::kGsm7 ? 1 : 2) << l << ": " << text;
  }
  EXPECT_EQ(texts.size(), 9u);
}

TEST(SmsReceiptTextTest, LatinScriptLanguagesStayGsm7) {
  const VaccinationReceipt r = OneLineReceipt();
  for (const char* l : {"en", "fr", "uz"}) {
    EXPECT_EQ(EncodeForSms(RenderReceipt(r, l)).coding, SmsCoding::kGsm7) << l;
    EXPECT_EQ(EncodeForSms(RenderStopReply(l)).coding, SmsCoding::kGsm7) << l;
    EXPECT_EQ(EncodeForSms(RenderStartReply(l)).coding, SmsCoding::kGsm7) << l;
    EXPECT_EQ(EncodeForSms(RenderHelpReply(l)).coding, SmsCoding::kGsm7) << l;
  }
  for (const char* l : {"kk", "ky", "tg", "ru", "ug", "zh-Hans"}) {
    EXPECT_EQ(EncodeForSms(RenderReceipt(r, l)).coding, SmsCoding::kUcs2) << l;
  }
}

TEST(SmsReceiptTextTest, WithNoVaccinatorTheStationAloneIsNamed) {
  const VaccinationReceipt r = OneLineReceipt("");
  EXPECT_EQ(RenderReceipt(r, "en"),
            "HerdPass 2026-12-07: vaccinated FMD-O 12 head, FMD-OA-INACT lot B-2026-1. KZ-ABY.");
  for (const char* l : kLanguages) {
    EXPECT_EQ(RenderReceipt(r, l).find(" , "), std::string::npos) << l;
    EXPECT_EQ(RenderReceipt(r, l).find("{"), std::string::npos) << l;
  }
}

TEST(SmsReceiptTextTest, OnlyRecentRecordsTakeAReceipt) {
  const Timestamp at = ParseRfc3339("2026-12-07T10:00:00Z").value();
  EXPECT_TRUE(TakesReceipt(Date::Parse("2026-12-07").value(), at));
  EXPECT_TRUE(TakesReceipt(Date::Parse("2026-11-07").value(), at));   // 30 days before
  EXPECT_FALSE(TakesReceipt(Date::Parse("2026-11-06").value(), at));  // 31
  EXPECT_FALSE(TakesReceipt(Date::Parse("2023-12-07").value(), at));
}

// The payload's text is the one nlohmann::json wrote before (stored receipts are merged into, so
// both forms must read back): keys sorted, no spaces.
TEST(SmsReceiptPayloadTest, KeepsItsTextAndReadsBackWhatItWrote) {
  VaccinationReceipt r = OneLineReceipt();
  r.Add("Anthrax", "STI \"55\"", "B/2", 3);
  const std::string json = r.ToJson();
  EXPECT_EQ(json,
            R"({"day":"2026-12-07","lines":[{"batch_no":"B-2026-1","disease":"FMD-O","head":12,)"
            R"("vaccine":"FMD-OA-INACT"},{"batch_no":"B/2","disease":"Anthrax","head":3,)"
            R"("vaccine":"STI \"55\""}],"station":"KZ-ABY","vaccinator":"aibek"})");
  auto back = VaccinationReceipt::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->day, r.day);
  EXPECT_EQ(back->vaccinator, "aibek");
  EXPECT_EQ(back->station, "KZ-ABY");
  ASSERT_EQ(back->lines.size(), 2u);
  EXPECT_EQ(back->lines[1].vaccine, "STI \"55\"");
  EXPECT_EQ(back->lines[1].batch_no, "B/2");
  EXPECT_EQ(back->lines[1].head, 3);
  EXPECT_EQ(back->ToJson(), json);
  // Written with spaces and in another order, as any JSON writer may.
  auto spaced = VaccinationReceipt::FromJson(
      R"( { "vaccinator" : "", "station" : "KZ", "lines" : [ { "head" : 1, "vaccine" : "V", )"
      R"("disease" : "D", "batch_no" : "" } ], "day" : "2026-01-02" } )");
  ASSERT_TRUE(spaced.ok()) << spaced.status().message();
  EXPECT_EQ(spaced->lines.at(0).disease, "D");
  EXPECT_EQ(spaced->day, Date::Parse("2026-01-02").value());
}

// PostgreSQL's batch makes the keys of owners it has not read yet from the parts around the id.
TEST(SmsReceiptPayloadTest, AKeyIsTheOwnersIdBetweenTheDaysParts) {
  const Date day = Date::Parse("2026-12-07").value();
  EXPECT_EQ(VaccinationReceipt::Key(42, day), "receipt/42/2026-12-07");
  auto [before, after] = VaccinationReceipt::KeyAround(day);
  for (int64_t id : {1LL, 42LL, 1234567890123LL}) {
    EXPECT_EQ(before + std::to_string(id) + after, VaccinationReceipt::Key(id, day));
  }
  EXPECT_NE(VaccinationReceipt::KeyAround(day.AddDays(1)), VaccinationReceipt::KeyAround(day));
}

TEST(SmsReceiptPayloadTest, RefusesWhatIsNotAReceipt) {
  for (const char* bad :
       {"", "[]", "{", R"({"day":"2026-12-07","vaccinator":"a","station":"s"})",
        R"({"day":"2026-12-07","vaccinator":"a","station":"s","lines":{}})",
        R"({"day":"07.12.2026","vaccinator":"a","station":"s","lines":[]})",
        R"({"day":"2026-12-07","vaccinator":1,"station":"s","lines":[]})",
        R"({"day":"2026-12-07","vaccinator":"a","station":"s","lines":[1]})",
        R"({"day":"2026-12-07","vaccinator":"a","station":"s","lines":[{"disease":"D",)"
        R"("vaccine":"V","batch_no":"B","head":"12"}]})",
        R"({"day":"2026-12-07","vaccinator":"a","station":"s","lines":[{"disease":"D",)"
        R"("vaccine":"V","head":12}]})"}) {
    auto r = VaccinationReceipt::FromJson(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().field(), "payload") << bad;
  }
  // An empty receipt (no lines) is still a receipt.
  EXPECT_TRUE(VaccinationReceipt::FromJson(
                  R"({"day":"2026-12-07","vaccinator":"","station":"s","lines":[]})")
                  .ok());
}

TEST(SmsReplyTextTest, StatusGivesEachDiseasesState) {
  std::vector<DiseaseCoverage> c(4);
  c[0].disease = "FMD-O";
  c[0].state = CoverageState::kCovered;
  c[0].covered_until = Date::Parse("2027-04-14").value();
  c[1].disease = "ANTHRAX";
  c[1].state = CoverageState::kOverdue;
  c[1].overdue_since = Date::Parse("2026-11-01").value();
  c[2].disease = "SGP";
  c[2].state = CoverageState::kOverdue;  // doses that never reached the whole flock
  c[3].disease = "PPR";
  c[3].state = CoverageState::kNever;
  EXPECT_EQ(RenderStatusReply(c, "en"),
            "HerdPass: FMD-O covered to 2027-04-14; ANTHRAX overdue since 2026-11-01; SGP "
            "overdue; PPR never vaccinated.");
  EXPECT_EQ(RenderStatusReply(c, "ru"),
            "HerdPass: FMD-O защищены до 2027-04-14; ANTHRAX просрочено с 2026-11-01; SGP "
            "просрочено; PPR не привиты.");
  EXPECT_EQ(RenderStatusReply(c, "kk"),
            "HerdPass: FMD-O 2027-04-14 дейін қорғалған; ANTHRAX 2026-11-01 бастап мерзімі өткен; "
            "SGP мерзімі өткен; PPR егілмеген.");
  EXPECT_EQ(RenderStatusReply({}, "en"), "HerdPass: no animals are registered to this number.");
  std::set<std::string> texts;
  for (const char* l : kLanguages) {
    const std::string text = RenderStatusReply(c, l);
    texts.insert(text);
    EXPECT_NE(text.find("2027-04-14"), std::string::npos) << l;
    EXPECT_NE(text.find("2026-11-01"), std::string::npos) << l;
    EXPECT_EQ(text.find("{"), std::string::npos) << l;
  }
  EXPECT_EQ(texts.size(), 9u);
}

TEST(SmsOwnerCodeTextTest, EachLanguageHasItsOwnCodeText) {
  const std::pair<const char*, const char*> want[] = {
      {"en", "012345 is your HerdPass code. It is good for 10 minutes. Do not give it to anyone."},
      {"ru", "012345 - ваш код HerdPass. Действует 10 минут. Никому не сообщайте."},
      {"kk", "012345 - HerdPass кодыңыз. 10 минут жарамды. Оны ешкімге бермеңіз."},
      {"ky", "012345 - HerdPass кодуңуз. 10 мүнөт жарактуу. Аны эч кимге бербеңиз."},
      {"uz", "012345 - HerdPass kodingiz. 10 daqiqa amal qiladi. Uni hech kimga bermang."},
      {"tg", "012345 - рамзи HerdPass. 10 дақиқа эътибор дорад. Ба касе надиҳед."},
      {"ug", "012345 - HerdPass كودىڭىز. 10 مىنۇت ئىناۋەتلىك. ئۇنى ھېچكىمگە بەرمەڭ."},
      {"zh-Hans", "012345 是您的 HerdPass 验证码，10分钟内有效，请勿告诉他人。"},
      {"fr", "012345 est votre code HerdPass. Il est valable 10 minutes. Ne le donnez à personne."},
  };
  std::set<std::string> texts;
  for (const auto& [language, text] : want) {
    const std::string got = RenderOwnerCodeSms("012345", language);
    EXPECT_EQ(got, text) << language;
    texts.insert(got);
    EXPECT_EQ(got.rfind("012345", 0), 0u) << language;  // the code first
    const SmsEncoding e = EncodeForSms(got);
    EXPECT_EQ(e.segments, 1) << language;
    const std::string l = language;
    EXPECT_EQ(e.coding, l == "en" || l == "fr" || l == "uz" ? SmsCoding::kGsm7 : SmsCoding::kUcs2)
        << language;
  }
  EXPECT_EQ(texts.size(), 9u);
  EXPECT_EQ(RenderOwnerCodeSms("012345", "xx"), RenderOwnerCodeSms("012345", "en"));
}

TEST(SmsReminderTextTest, EachLanguageSaysWhichDiseaseHowManyHeadAndWhen) {
  const std::vector<ReminderLine> lines = {{"FMD-O", 31, Date::Parse("2026-12-06").value()},
                                           {"PPR", 120, Date::Parse("2026-12-14").value()}};
  const std::pair<const char*, const char*> want[] = {
      {"en",
       "HerdPass reminder: FMD-O 31 head, protection ends 2026-12-06; PPR 120 head, protection "
       "ends 2026-12-14. Bring them to the next vaccination."},
      {"ru",
       "HerdPass, напоминание: FMD-O 31 гол., защита истекает 2026-12-06; PPR 120 гол., защита "
       "истекает 2026-12-14. Приведите животных на вакцинацию."},
      {"kk",
       "HerdPass, еске салу: FMD-O 31 бас, қорғаныс 2026-12-06 аяқталады; PPR 120 бас, қорғаныс "
       "2026-12-14 аяқталады. Малды екпеге әкеліңіз."},
      {"ky",
       "HerdPass, эскертүү: FMD-O 31 баш, коргоо 2026-12-06 бүтөт; PPR 120 баш, коргоо "
       "2026-12-14 бүтөт. Малды эмдөөгө алып келиңиз."},
      {"uz",
       "HerdPass eslatma: FMD-O 31 bosh, himoya 2026-12-06 tugaydi; PPR 120 bosh, himoya "
       "2026-12-14 tugaydi. Hayvonlarni emlashga olib keling."},
      {"tg",
       "HerdPass, ёдрас: FMD-O 31 сар, муҳофизат 2026-12-06 тамом мешавад; PPR 120 сар, "
       "муҳофизат 2026-12-14 тамом мешавад. Чорворо ба эмкунӣ биёред."},
      {"ug",
       "HerdPass ئەسكەرتىش: FMD-O 31 باش، قوغداش 2026-12-06 دە ئاخىرلىشىدۇ؛ PPR 120 باش، قوغداش "
       "2026-12-14 دە ئاخىرلىشىدۇ. چارۋىلارنى ئەملەشكە ئېلىپ كېلىڭ."},
      {"zh-Hans",
       "HerdPass 提醒：FMD-O 31头，免疫保护 2026-12-06 到期；PPR 120头，免疫保护 2026-12-14 "
       "到期。请带牲畜接种疫苗。"},
      {"fr",
       "HerdPass, rappel : FMD-O effectif 31, fin de protection le 2026-12-06 ; PPR effectif 120, "
       "fin de protection le 2026-12-14. Faites vacciner vos animaux."},
  };
  std::set<std::string> texts;
  for (const auto& [language, text] : want) {
    const std::string got = RenderReminder(lines, language);
    EXPECT_EQ(got, text) << language;
    texts.insert(got);
    const std::string l = language;
    const SmsEncoding e = EncodeForSms(got);
    EXPECT_EQ(e.coding, l == "en" || l == "fr" || l == "uz" ? SmsCoding::kGsm7 : SmsCoding::kUcs2)
        << language;
    // One disease: one segment in GSM-7, at most two in UCS-2.
    const SmsEncoding one = EncodeForSms(RenderReminder({lines[0]}, language));
    EXPECT_LE(one.segments, one.coding == SmsCoding::kGsm7 ? 1 : 2) << language;
  }
  EXPECT_EQ(texts.size(), 9u);
  EXPECT_EQ(RenderReminder(lines, "xx"), RenderReminder(lines, "en"));
}

TEST(SmsReminderTest, OnlyCoverageThatLapsesWithinTheDaysTakesAReminder) {
  const Date today = Date::Parse("2026-12-01").value();
  DiseaseCoverage c;
  c.disease = "FMD-O";
  c.state = CoverageState::kCovered;
  c.covered_until = Date::Parse("2026-12-10").value();  // lapses on 2026-12-11
  EXPECT_TRUE(LapsesWithin(c, today, 10));
  EXPECT_FALSE(LapsesWithin(c, today, 9));
  c.state = CoverageState::kOverdue;  // lapsed already: a reminder is before, not after
  c.covered_until.reset();
  c.overdue_since = Date::Parse("2026-11-20").value();
  EXPECT_FALSE(LapsesWithin(c, today, 30));
  c.state = CoverageState::kNever;
  c.overdue_since.reset();
  EXPECT_FALSE(LapsesWithin(c, today, 30));
  EXPECT_EQ(ReminderKey(12, today), "reminder/12/2026-12-01");
}

TEST(SmsReminderTest, TheNightlyRunIsTheNextLocalTimeOfDay) {
  using std::chrono::hours;
  using std::chrono::minutes;
  const auto at = [](const char* t) { return ParseRfc3339(t).value(); };
  // 02:00 at UTC+5 is 21:00 UTC the day before.
  EXPECT_EQ(NextReminderRun(at("2026-12-01T09:00:00Z"), hours(2), hours(5)),
            at("2026-12-01T21:00:00Z"));
  EXPECT_EQ(NextReminderRun(at("2026-12-01T21:00:00Z"), hours(2), hours(5)),
            at("2026-12-01T21:00:00Z"));  // at the time itself: now
  EXPECT_EQ(NextReminderRun(at("2026-12-01T21:00:01Z"), hours(2), hours(5)),
            at("2026-12-02T21:00:00Z"));
  EXPECT_EQ(NextReminderRun(at("2026-12-01T23:30:00Z"), minutes(30), minutes(0)),
            at("2026-12-02T00:30:00Z"));
  EXPECT_EQ(NextReminderRun(at("2026-12-01T10:00:00Z"), hours(2), hours(-3)),
            at("2026-12-02T05:00:00Z"));
}

TEST(SmsReminderTest, ATimeOfDayIsHoursAndMinutes) {
  EXPECT_EQ(ParseTimeOfDay("02:00", "at").value(), std::chrono::minutes(120));
  EXPECT_EQ(ParseTimeOfDay("23:59", "at").value(), std::chrono::minutes(23 * 60 + 59));
  EXPECT_EQ(ParseTimeOfDay("00:00", "at").value(), std::chrono::minutes(0));
  for (const char* bad : {"24:00", "2:00", "02:60", "0200", "", "02:00 ", "ab:cd"}) {
    auto r = ParseTimeOfDay(bad, "sms-reminders-at");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().field(), "sms-reminders-at") << bad;
  }
}

TEST(SmsKeywordTest, EachLanguagesWordIsTakenTrimmedAndWithoutCase) {
  struct Case {
    const char* text;
    SmsKeyword want;
  };
  const Case cases[] = {
      {"STATUS", SmsKeyword::kStatus},
      {"  status \n", SmsKeyword::kStatus},
      {"Status please", SmsKeyword::kStatus},
      {"stop!", SmsKeyword::kStop},
      {"Start", SmsKeyword::kStart},
      {"СТАТУС", SmsKeyword::kStatus},
      {"стоп", SmsKeyword::kStop},
      {"Старт", SmsKeyword::kStart},
      {"ЖАҒДАЙ", SmsKeyword::kStatus},
      {"жағдай", SmsKeyword::kStatus},
      {"Тоқтат", SmsKeyword::kStop},
      {"БАСТА", SmsKeyword::kStart},
      {"абал", SmsKeyword::kStatus},
      {"ТОКТОТ", SmsKeyword::kStop},
      {"Башта", SmsKeyword::kStart},
      {"HOLAT", SmsKeyword::kStatus},
      {"TOʻXTAT", SmsKeyword::kStop},
      {"to'xtat", SmsKeyword::kStop},
      {"boshla", SmsKeyword::kStart},
      {"ҲОЛАТ", SmsKeyword::kStatus},
      {"ист", SmsKeyword::kStop},
      {"ОҒОЗ", SmsKeyword::kStart},
      {"ھالەت", SmsKeyword::kStatus},
      {"توختا", SmsKeyword::kStop},
      {"باشلا", SmsKeyword::kStart},
      {"状态", SmsKeyword::kStatus},
      {"停止。", SmsKeyword::kStop},
      {"开始", SmsKeyword::kStart},
      {"ÉTAT", SmsKeyword::kStatus},
      {"etat", SmsKeyword::kStatus},
      {"Arrêt", SmsKeyword::kStop},
      {"REPRISE", SmsKeyword::kStart},
      {"hello", SmsKeyword::kNone},
      {"", SmsKeyword::kNone},
      {"   ", SmsKeyword::kNone},
      {"STATUSES", SmsKeyword::kNone},
      {"please STATUS", SmsKeyword::kNone},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseSmsKeyword(c.text), c.want) << c.text;
  }
}

// LANG and its word in each language, with a code of the nine after it (issue 15).
TEST(SmsKeywordTest, LangInEachLanguageNamesTheLanguageAsked) {
  struct Case {
    const char* text;
    const char* want;  // "" = none of the nine named
  };
  const Case cases[] = {
      {"LANG KK", "kk"},   {"lang ru", "ru"},      {"  Language  en. ", "en"},
      {"ЯЗЫК RU", "ru"},   {"язык kk", "kk"},      {"ТІЛ KK", "kk"},
      {"тил ky", "ky"},    {"TIL UZ", "uz"},       {"ЗАБОН TG", "tg"},
      {"تىل UG", "ug"},    {"语言 ZH", "zh-Hans"}, {"语言 zh-Hans", "zh-Hans"},
      {"LANGUE fr", "fr"}, {"LANG", ""},           {"LANG XX", ""},
      {"LANG KKK", ""},    {"STATUS KK", ""},      {"KK", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SmsLanguageAsked(c.text), c.want) << c.text;
  }
  for (const char* word : {"LANG", "язык", "ТІЛ", "тил", "til", "забон", "تىل", "语言", "langue"}) {
    EXPECT_EQ(ParseSmsKeyword(word), SmsKeyword::kLanguage) << word;
  }
  EXPECT_STREQ(SmsKeywordName(SmsKeyword::kLanguage), "language");
}

// The answer to LANG is in the language chosen, one text per language, none left in English; the
// help names every code.
TEST(SmsKeywordTest, TheAnswerToLangIsInTheLanguageChosen) {
  std::set<std::string> answers;
  for (const char* l : {"zh-Hans", "ug", "kk", "ky", "uz", "tg", "ru", "en", "fr"}) {
    answers.insert(RenderLanguageReply(l));
    const std::string help = RenderLanguageHelp(l);
    for (const char* code : {"EN", "RU", "KK", "KY", "UZ", "TG", "UG", "ZH", "FR"}) {
      EXPECT_NE(help.find(code), std::string::npos) << l << " " << code;
    }
  }
  EXPECT_EQ(answers.size(), 9u);
  EXPECT_EQ(RenderLanguageReply("ru"), "HerdPass: сообщения будут приходить на русском языке.");
  EXPECT_EQ(RenderLanguageReply("en"), "HerdPass: messages will come in English.");
  EXPECT_EQ(EncodeForSms(RenderLanguageReply("uz")).coding, SmsCoding::kGsm7);
}

TEST(SmsCertificateTextTest, TheCheckCodeIsSixDigitsOfTheSignedTextsHash) {
  // sha256("HP1:TEST") begins 0x...: its first four bytes modulo 10^6 (computed beside, in Python).
  EXPECT_EQ(CertificateCheckCode("HP1:TEST"), "601542");
  EXPECT_EQ(CertificateCheckCode(""), "012610");  // zero-padded
  EXPECT_NE(CertificateCheckCode("HP1:TESU"), CertificateCheckCode("HP1:TEST"));
}

TEST(SmsCertificateTextTest, EachEventInEachLanguage) {
  const std::string number = "KZ-ABY-20261207-ABCDEFGH";
  EXPECT_EQ(RenderCertificateSms(CertificateSmsEvent::kIssued, number, "601542", 32, "en"),
            "HerdPass: certificate KZ-ABY-20261207-ABCDEFGH issued, 32 head. Check code 601542.");
  EXPECT_EQ(RenderCertificateSms(CertificateSmsEvent::kArrived, number, "", 0, "kk"),
            "HerdPass: KZ-ABY-20261207-ABCDEFGH сертификаты бойынша мал межелі жерге жетті.");
  EXPECT_EQ(RenderCertificateSms(CertificateSmsEvent::kRevoked, number, "", 0, "ru"),
            "HerdPass: сертификат KZ-ABY-20261207-ABCDEFGH отозван.");
  for (auto e : {CertificateSmsEvent::kIssued, CertificateSmsEvent::kArrived,
                 CertificateSmsEvent::kRevoked}) {
    std::set<std::string> texts;
    for (const char* l : kLanguages) {
      const std::string text = RenderCertificateSms(e, number, "601542", 32, l);
      texts.insert(text);
      EXPECT_NE(text.find(number), std::string::npos) << l;
      EXPECT_EQ(text.find("{"), std::string::npos) << l;
      const SmsEncoding enc = EncodeForSms(text);
      EXPECT_LE(enc.segments, enc.coding == SmsCoding::kGsm7 ? 1 : 2) << l << ": " << text;
      if (std::string(l) == "en" || std::string(l) == "fr" || std::string(l) == "uz") {
        EXPECT_EQ(enc.coding, SmsCoding::kGsm7) << l << ": " << text;
      }
      if (e == CertificateSmsEvent::kIssued) {
        EXPECT_NE(text.find("601542"), std::string::npos) << l;
      }
    }
    EXPECT_EQ(texts.size(), 9u);
  }
  EXPECT_EQ(CertificateSmsKey("c-1", CertificateSmsEvent::kRevoked), "certificate/c-1/revoked");
}

}  // namespace
}  // namespace herdpass
