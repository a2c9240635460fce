// What HerdPass says to owners by SMS, in their language (DESIGN.md W15, issue 15 item 3), and the
// keywords owners send (STATUS, STOP, START and their word in each language). docs/sms.md lists
// the texts' shape.
//
// Languages are the web app's nine (web/src/languages.ts): zh-Hans, ug, kk, ky, uz, tg, ru, en,
// fr. An owner's language is the one stored for them (sms_owners.language) when it is one of the
// nine, else their region's (SmsLanguageOfRegion). Texts are kept short, and in GSM-7 where the
// language allows it (en, fr, uz are written without characters outside it): a receipt of one
// line is one segment there, two in the UCS-2 languages (70 characters a segment).
// Thread-safe: pure functions over constant tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/coverage.h"

namespace herdpass {

// Whether `code` is one of the nine (exactly as web/src/languages.ts spells it).
bool IsSmsLanguage(std::string_view code);

// The language of an owner's region, from their authority code: KZ kk, KG ky, UZ uz, TJ tg,
// Xinjiang (CN-65, or CN-XJ) ug, the rest of CN zh-Hans, FR fr; RU, BY and the other countries
// where Russian is the common language of officials ru; anywhere else en. Written once: every
// message and every default of the owner's language goes through it.
std::string SmsLanguageOfRegion(std::string_view authority);

// The language messages to an owner go in: `stored` when it is one of the nine, else the region's.
std::string SmsLanguageFor(std::string_view stored, std::string_view authority);

// Replies to the owner's own messages (sent as `requested`: quiet hours do not hold them).
// `coverage`: the per-disease state of the owner's living animals (OwnerCoverage::diseases); empty
// when they have none.
std::string RenderStatusReply(const std::vector<DiseaseCoverage>& coverage,
                              const std::string& language);
std::string RenderStopReply(const std::string& language);   // messages off; certificates still go
std::string RenderStartReply(const std::string& language);  // messages on again
std::string RenderHelpReply(const std::string& language);   // the keywords, for any other text

// The words of a receipt (domain/sms_receipt.h renders it with them).
struct SmsReceiptWords {
  const char* pattern;  // "{day}", "{lines}", "{by}" placeholders
  const char* line;     // one line: "{disease}", "{head}", "{vaccine}", "{batch}"
  const char* line_separator;
  const char* by;       // "{who}", "{station}"
  const char* station;  // "{station}" alone, when no one is named (records from the console)
};
const SmsReceiptWords& ReceiptWordsFor(const std::string& language);

// The one-time code an owner asked for to sign in to /me (domain/owner_code.h): the code first,
// so that phones that offer to copy a code find it; one segment in every language.
std::string RenderOwnerCodeSms(const std::string& code, const std::string& language);

// The words of a reminder before coverage lapses (domain/sms_reminder.h renders it with them).
struct SmsReminderWords {
  const char* pattern;  // "{lines}"
  const char* line;     // one disease: "{disease}", "{head}", "{date}" (the day it lapses)
  const char* line_separator;
};
const SmsReminderWords& ReminderWordsFor(const std::string& language);

// Replaces each "{name}" of `pattern` by its value (hand-written: the texts need only this, and
// domain/ links no formatting library).
std::string FillSmsPattern(std::string_view pattern,
                           const std::vector<std::pair<std::string_view, std::string>>& values);

// What an owner's message asks for: its first word, trimmed and compared without case (Latin,
// Cyrillic of the region's languages), with each language's word accepted whatever the owner's
// language.
enum class SmsKeyword { kNone, kStatus, kStop, kStart, kLanguage };
const char* SmsKeywordName(SmsKeyword k);  // "none", "status", "stop", "start", "language"
SmsKeyword ParseSmsKeyword(std::string_view text);

// LANG (kLanguage: LANG, ЯЗЫК, ТІЛ, ТИЛ, TIL, ЗАБОН, تىل, 语言, LANGUE): the language its second
// word names, a code of the nine without case ("kk", "KK"; "zh" for zh-Hans), or "" when the text
// is no LANG or names none of them.
std::string SmsLanguageAsked(std::string_view text);
// The answer to LANG, in the language chosen (`language`): messages go in it from now on.
std::string RenderLanguageReply(const std::string& language);
// The answer to a LANG that named no language of the nine: the codes, in `language`.
std::string RenderLanguageHelp(const std::string& language);

}  // namespace herdpass
