// The words of the printed certificate (cert/print_page.h) in the nine languages of HerdPass.
//
// One table holds every label, status, purpose, species and disease name, one row per key with
// one column per language, so that a translator reviews a word across all languages at once and a
// test can check that no cell is empty. Keys are plain ("title"), or prefixed by what they name:
// "status.<code>", "purpose.<code>", "species.<catalogue code>", "disease.<catalogue code>".
// The purpose, species and disease rows are the app's own words, generated at build time from
// web/src/locales/<lang>/common.json (cert/print_names.cmake): edit them there, not here.
// Immutable static data: safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

namespace herdpass::cert {

// BCP 47 tags, in the column order of the table: Chinese (Simplified), Uyghur (Arabic script,
// right to left), Kazakh (Cyrillic), Kyrgyz, Uzbek (Latin), Tajik, Russian, English, French.
inline constexpr std::array<std::string_view, 9> kPrintLanguages = {
    "zh-Hans", "ug", "kk", "ky", "uz", "tg", "ru", "en", "fr"};
inline constexpr size_t kEnglish = 7;  // index of "en": the fallback language

struct Translation {
  std::string_view key;
  std::array<std::string_view, kPrintLanguages.size()> text;  // by kPrintLanguages index
};

// Every row of the table.
std::span<const Translation> PrintTranslations();

// Index of `lang` in kPrintLanguages (an exact tag as listed), or kEnglish for anything else.
size_t PrintLanguageIndex(std::string_view lang);

// The text of `key` in language `lang_index`; the English text when that cell is empty (a test
// keeps every cell filled); empty when the key is unknown.
std::string_view Translate(std::string_view key, size_t lang_index);

}  // namespace herdpass::cert
