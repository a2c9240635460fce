// Tests of cert/qr.h: encoding mode and error correction level, the SVG and PNG renderings, and
// decoding, with the zbarimg command line as a second decoder that shares no code with ours.
#include "cert/qr.h"

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cert/hp1.h"
#include "tests/domain/status_matchers.h"
#include "tests/support/process.h"

namespace herdpass::cert {
namespace {

using ::herdpass::testing::IsInvalidArgument;

// base45 (RFC 9285) uses exactly the QR alphanumeric alphabet.
constexpr std::string_view kBase45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// An "HP1:" text of `n` characters in all, with a fixed seed: looks like a real certificate.
std::string Hp1Text(size_t n, std::string_view alphabet = kBase45) {
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s = "HP1:";
  while (s.size() < n) s += alphabet[pick(rng)];
  return s;
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/qr_test_" + std::to_string(getpid()) + "_" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `zbarimg --raw -q <png>` and returns its standard output (empty when it fails).
std::string Zbarimg(const std::string& png_path, int* exit_code) {
  std::string out_path = png_path + ".out";
  std::remove(out_path.c_str());
  herdpass::testing::Process p({.path = HERDPASS_ZBARIMG,
                                .args = {"--raw", "-q", png_path},
                                .env = {},
                                .stdout_path = out_path,
                                .stderr_path = {}});
  auto status = p.Wait(std::chrono::seconds(60));
  *exit_code = status && status->exited ? status->code : -1;
  std::string out = ReadFile(out_path);
  std::remove(out_path.c_str());
  return out;
}

bool Dark(const QrCode& qr, int x, int y) {
  return qr.modules[static_cast<size_t>(y) * qr.width + x] != 0;
}

// The 15 format bits of one of the two copies, bit i as ISO/IEC 18004 numbers it (0 = least
// significant). Copy 1 wraps the top-left finder; copy 2 is split between the other two.
int FormatBits(const QrCode& qr, int copy) {
  const int w = qr.width;
  int bits = 0;
  for (int i = 0; i < 15; ++i) {
    int x = 0;
    int y = 0;
    if (copy == 1) {
      if (i < 6) {
        x = 8, y = i;
      } else if (i < 8) {
        x = 8, y = i + 1;
      } else if (i == 8) {
        x = 7, y = 8;
      } else {
        x = 14 - i, y = 8;
      }
    } else {
      if (i < 8) {
        x = w - 1 - i, y = 8;
      } else {
        x = 8, y = w - 15 + i;
      }
    }
    if (Dark(qr, x, y)) bits |= 1 << i;
  }
  return bits;
}

// The BCH(15,5) code word of 5 format data bits, masked (ISO/IEC 18004 annex C).
int FormatCodeword(int data5) {
  int rem = data5 << 10;
  for (int bit = 14; bit >= 10; --bit) {
    if (rem & (1 << bit)) rem ^= 0x537 << (bit - 10);
  }
  return ((data5 << 10) | rem) ^ 0x5412;
}

TEST(EncodeQr, RealisticHp1TextRoundTripsThroughZbarimgAndDecodeQrPng) {
  const std::string text = Hp1Text(300);
  Result<QrCode> qr = EncodeQr(text);
  ASSERT_TRUE(qr.ok()) << qr.status().ToString();
  EXPECT_EQ(qr->width, 17 + 4 * qr->version);
  ASSERT_EQ(qr->modules.size(), static_cast<size_t>(qr->width * qr->width));

  Result<std::string> png = QrPng(*qr, 4);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  const std::string path = TempPath("roundtrip.png");
  WriteFile(path, *png);

  int code = 0;
  std::string out = Zbarimg(path, &code);
  std::remove(path.c_str());
  EXPECT_EQ(code, 0);
  // --raw prints the text and a newline, nothing else.
  EXPECT_EQ(out, text + "\n");

  Result<std::string> decoded = DecodeQrPng(*png);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, text);
}

TEST(EncodeQr, ErrorCorrectionLevelIsQInBothFormatCopies) {
  Result<QrCode> qr = EncodeQr(Hp1Text(300));
  ASSERT_TRUE(qr.ok());
  const int copy1 = FormatBits(*qr, 1);
  const int copy2 = FormatBits(*qr, 2);
  EXPECT_EQ(copy1, copy2);
  const int data = (copy1 ^ 0x5412) >> 10;
  EXPECT_EQ(FormatCodeword(data), copy1) << "not a valid format code word";
  EXPECT_EQ(data >> 3, 0b11) << "error correction level indicator (Q is 11)";
}

// Characters of alphanumeric text that fit `data_codewords` of a version: a 4-bit mode indicator, a
// character count of 9, 11 or 13 bits (versions 1-9, 10-26, 27-40), then 11 bits per pair of
// characters and 6 for a last odd one (ISO/IEC 18004:2015 7.4.4).
int AlphanumericCapacity(int version, int data_codewords) {
  const int count_bits = version <= 9 ? 9 : version <= 26 ? 11 : 13;
  const int bits = data_codewords * 8 - 4 - count_bits;
  return bits / 11 * 2 + (bits % 11 >= 6 ? 1 : 0);
}
// Bytes that fit in byte mode (8-bit count indicator for versions 1-9, 16 after).
int ByteCapacity(int version, int data_codewords) {
  return (data_codewords * 8 - 4 - (version <= 9 ? 8 : 16)) / 8;
}

// Data codewords at level Q (ISO/IEC 18004:2015 table 7) of a few versions, with the capacity they
// give: each length at capacity must take exactly that version, one more character the next one.
// Level M holds 1,000 data codewords in version 25 (1,451 characters) and level H 538 (779), so
// only level Q meets the version 25 boundary; byte mode holds 715 bytes there, not 1,041.
TEST(EncodeQr, VersionFollowsTheAlphanumericCapacityAtLevelQ) {
  struct Case {
    int version;
    int data_codewords;
    int capacity;  // what the formula gives, written out to check it too
  } cases[] = {{1, 13, 16},     {2, 22, 29},     {10, 154, 221},
               {25, 718, 1041}, {26, 754, 1094}, {40, 1666, 2420}};
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  for (const Case& c : cases) {
    SCOPED_TRACE("version " + std::to_string(c.version));
    ASSERT_EQ(AlphanumericCapacity(c.version, c.data_codewords), c.capacity);
    Result<QrCode> qr = EncodeQr(Hp1Text(static_cast<size_t>(c.capacity), letters));
    ASSERT_TRUE(qr.ok()) << qr.status().ToString();
    EXPECT_EQ(qr->version, c.version);
    if (c.version < 40) {
      qr = EncodeQr(Hp1Text(static_cast<size_t>(c.capacity) + 1, letters));
      ASSERT_TRUE(qr.ok()) << qr.status().ToString();
      EXPECT_EQ(qr->version, c.version + 1);
    }
  }
  EXPECT_EQ(AlphanumericCapacity(25, 1000), 1451);  // level M
  EXPECT_EQ(ByteCapacity(25, 718), 715);
}

// Digits alone would fit a much smaller symbol in numeric mode; one alphanumeric segment keeps the
// version a function of the length, which the HP1 "tags fit version 25" rule relies on.
TEST(EncodeQr, DigitsStayInTheAlphanumericSegment) {
  Result<QrCode> qr = EncodeQr(std::string(1041, '7'));
  ASSERT_TRUE(qr.ok());
  EXPECT_EQ(qr->version, 25);
}

// cert/'s rule "all ear tags while the QR code stays at version 25 or less" uses this bound.
TEST(EncodeQr, TheHp1SizeBoundIsTheLastLengthOfVersion25) {
  Result<QrCode> qr = EncodeQr(Hp1Text(kMaxQrAlphanumericChars, "ABC"));
  ASSERT_TRUE(qr.ok());
  EXPECT_EQ(qr->version, 25);
  qr = EncodeQr(Hp1Text(kMaxQrAlphanumericChars + 1, "ABC"));
  ASSERT_TRUE(qr.ok());
  EXPECT_EQ(qr->version, 26);
}

TEST(EncodeQr, RefusesTextTooLongForVersion40) {
  Result<QrCode> qr = EncodeQr(Hp1Text(2421, "ABC"));
  EXPECT_TRUE(IsInvalidArgument(qr.status(), "text"));
}

TEST(EncodeQr, RefusesCharactersOutsideTheAlphanumericSet) {
  for (std::string_view bad : {"hp1:ABC", "HP1:A#B", "HP1:A\nB", "HP1:\xC3\xA9", "HP1:A_B"}) {
    Result<QrCode> qr = EncodeQr(bad);
    EXPECT_TRUE(IsInvalidArgument(qr.status(), "text")) << bad;
  }
  EXPECT_TRUE(IsInvalidArgument(EncodeQr(std::string_view("HP1:A\0B", 7)).status(), "text"));
  EXPECT_TRUE(IsInvalidArgument(EncodeQr("").status(), "text"));
  EXPECT_TRUE(EncodeQr(kBase45).ok());
}

// --- SVG ---

// Checks that every element is closed in order (a small well-formedness check; the SVG has no
// text content, comments or CDATA), and returns the names of the elements in document order.
std::vector<std::string> XmlElements(const std::string& xml, std::string* error) {
  std::vector<std::string> stack;
  std::vector<std::string> names;
  size_t i = 0;
  while ((i = xml.find('<', i)) != std::string::npos) {
    size_t end = xml.find('>', i);
    if (end == std::string::npos) {
      *error = "unterminated tag";
      return names;
    }
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) {
      *error = "empty tag";
      return names;
    }
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) {
        *error = "mismatched </" + tag.substr(1) + ">";
        return names;
      }
      stack.pop_back();
      continue;
    }
    // Quotes must balance inside the tag.
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) {
      *error = "unbalanced quotes in <" + tag + ">";
      return names;
    }
    std::string name = tag.substr(0, tag.find_first_of(" /"));
    names.push_back(name);
    if (tag.back() != '/') stack.push_back(name);
  }
  if (!stack.empty()) *error = "unclosed <" + stack.back() + ">";
  if (xml.find_first_not_of(" \n") != 0) *error = "text before the root element";
  return names;
}

std::string Attribute(const std::string& xml, const std::string& element, const std::string& name) {
  size_t at = xml.find("<" + element + " ");
  if (at == std::string::npos) return {};
  size_t end = xml.find('>', at);
  size_t a = xml.find(" " + name + "=\"", at);
  if (a == std::string::npos || a > end) return {};
  a += name.size() + 3;
  return xml.substr(a, xml.find('"', a) - a);
}

// Draws the path back into modules: each subpath must be "M<x> <y>h<w>v<s>h-<w>z", a run of dark
// modules of height one module, aligned to the module grid.
std::vector<uint8_t> ModulesFromPath(const std::string& d, int width, int scale,
                                     std::string* error) {
  std::vector<uint8_t> modules(static_cast<size_t>(width * width), 0);
  std::istringstream in(d);
  char m = 0;
  while (in >> m) {
    long x = 0, y = 0, w = 0, h = 0, back = 0;
    char ch = 0, cv = 0, ch2 = 0, cz = 0;
    if (m != 'M' || !(in >> x >> y >> ch >> w >> cv >> h >> ch2 >> back >> cz) || ch != 'h' ||
        cv != 'v' || ch2 != 'h' || cz != 'z' || back != -w || h != scale || w <= 0 ||
        x % scale != 0 || y % scale != 0 || w % scale != 0) {
      *error = "unexpected path segment near offset " + std::to_string(in.tellg());
      return modules;
    }
    const long mx = x / scale - 4;
    const long my = y / scale - 4;
    for (long k = 0; k < w / scale; ++k) {
      if (mx + k < 0 || mx + k >= width || my < 0 || my >= width) {
        *error = "dark module outside the symbol (in the quiet zone?)";
        return modules;
      }
      uint8_t& cell = modules[static_cast<size_t>(my * width + mx + k)];
      if (cell) *error = "overlapping runs";
      cell = 1;
    }
  }
  return modules;
}

TEST(QrSvg, IsWellFormedWithOnePathAQuietZoneAndTheSameModules) {
  Result<QrCode> qr = EncodeQr(Hp1Text(300));
  ASSERT_TRUE(qr.ok());
  for (int scale : {1, 4, 7}) {
    const std::string svg = QrSvg(*qr, scale);
    std::string error;
    std::vector<std::string> elements = XmlElements(svg, &error);
    ASSERT_EQ(error, "") << svg.substr(0, 300);
    EXPECT_EQ(elements, (std::vector<std::string>{"svg", "rect", "path"}));
    const std::string side = std::to_string((qr->width + 8) * scale);
    EXPECT_EQ(Attribute(svg, "svg", "viewBox"), "0 0 " + side + " " + side);
    EXPECT_EQ(Attribute(svg, "svg", "xmlns"), "http://www.w3.org/2000/svg");
    EXPECT_EQ(Attribute(svg, "svg", "shape-rendering"), "crispEdges");
    EXPECT_EQ(Attribute(svg, "rect", "fill"), "#fff");
    EXPECT_EQ(Attribute(svg, "rect", "width"), "100%");

    std::vector<uint8_t> drawn =
        ModulesFromPath(Attribute(svg, "path", "d"), qr->width, scale, &error);
    ASSERT_EQ(error, "");
    EXPECT_EQ(drawn, qr->modules) << "scale " << scale;
  }
}

// --- PNG ---

struct Grey {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> pixels;
};

// Reads a PNG with libpng directly (not through DecodeQrPng) to look at the pixels.
Grey ReadGrey(const std::string& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  Grey g;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) return g;
  EXPECT_EQ(image.format, static_cast<png_uint_32>(PNG_FORMAT_GRAY)) << "8-bit greyscale file";
  image.format = PNG_FORMAT_GRAY;
  g.width = image.width;
  g.height = image.height;
  g.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, g.pixels.data(), 0, nullptr)) g.pixels.clear();
  return g;
}

std::string WritePng(uint32_t width, uint32_t height, uint32_t format,
                     const std::vector<uint8_t>& pixels) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr));
  std::string out(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

TEST(QrPng, IsGreyscaleWithAQuietZoneAndScaledModules) {
  Result<QrCode> qr = EncodeQr("HP1:HELLO");
  ASSERT_TRUE(qr.ok());
  const int scale = 3;
  Result<std::string> png = QrPng(*qr, scale);
  ASSERT_TRUE(png.ok());
  Grey g = ReadGrey(*png);
  const uint32_t side = static_cast<uint32_t>((qr->width + 8) * scale);
  ASSERT_EQ(g.width, side);
  ASSERT_EQ(g.height, side);
  ASSERT_EQ(g.pixels.size(), static_cast<size_t>(side) * side);
  for (uint32_t y = 0; y < side; ++y) {
    for (uint32_t x = 0; x < side; ++x) {
      const int mx = static_cast<int>(x) / scale - 4;
      const int my = static_cast<int>(y) / scale - 4;
      const bool inside = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width;
      const uint8_t want = inside && Dark(*qr, mx, my) ? 0 : 255;
      ASSERT_EQ(g.pixels[y * side + x], want) << "pixel " << x << "," << y;
    }
  }
}

TEST(QrPng, RefusesBadScaleAndBadCodes) {
  Result<QrCode> qr = EncodeQr("HP1:HELLO");
  ASSERT_TRUE(qr.ok());
  EXPECT_TRUE(IsInvalidArgument(QrPng(*qr, 0).status(), "scale"));
  EXPECT_TRUE(IsInvalidArgument(QrPng(*qr, 1000).status(), "scale"));
  QrCode broken = *qr;
  broken.modules.pop_back();
  EXPECT_TRUE(IsInvalidArgument(QrPng(broken, 4).status(), "qr"));
  EXPECT_TRUE(IsInvalidArgument(QrPng(QrCode{}, 4).status(), "qr"));
}

TEST(DecodeQrPng, ReadsColourImagesWithTransparency) {
  const std::string text = Hp1Text(120);
  Result<QrCode> qr = EncodeQr(text);
  ASSERT_TRUE(qr.ok());
  const int scale = 4;
  const uint32_t side = static_cast<uint32_t>((qr->width + 8) * scale);
  // Dark blue modules on a fully transparent background: seen on white, as printed.
  std::vector<uint8_t> rgba(static_cast<size_t>(side) * side * 4, 0);
  for (uint32_t y = 0; y < side; ++y) {
    for (uint32_t x = 0; x < side; ++x) {
      const int mx = static_cast<int>(x) / scale - 4;
      const int my = static_cast<int>(y) / scale - 4;
      if (mx >= 0 && my >= 0 && mx < qr->width && my < qr->width && Dark(*qr, mx, my)) {
        uint8_t* p = &rgba[(static_cast<size_t>(y) * side + x) * 4];
        p[0] = 10, p[1] = 20, p[2] = 120, p[3] = 255;
      }
    }
  }
  Result<std::string> decoded = DecodeQrPng(WritePng(side, side, PNG_FORMAT_RGBA, rgba));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, text);
}

TEST(DecodeQrPng, RefusesBytesThatAreNotAPng) {
  for (std::string_view bytes :
       {std::string_view(""), std::string_view("GIF89a\x01\x00\x01\x00"),
        std::string_view("HP1:NOT AN IMAGE"), std::string_view("\x89PNG\r\n", 6)}) {
    EXPECT_TRUE(IsInvalidArgument(DecodeQrPng(bytes).status(), "png", "not a PNG image"));
  }
}

TEST(DecodeQrPng, RefusesTruncatedAndCorruptedPngs) {
  Result<QrCode> qr = EncodeQr(Hp1Text(300));
  ASSERT_TRUE(qr.ok());
  Result<std::string> png = QrPng(*qr, 4);
  ASSERT_TRUE(png.ok());
  // Cut inside the header chunk, inside the image data, and in the last data chunk's CRC. (A file
  // missing only its 12-byte IEND trailer still decodes: libpng has every pixel by then.)
  for (size_t keep : {size_t{8}, size_t{20}, png->size() / 2, png->size() - 13}) {
    Status s = DecodeQrPng(std::string_view(*png).substr(0, keep)).status();
    EXPECT_TRUE(IsInvalidArgument(s, "png")) << keep;
    EXPECT_TRUE(s.message().starts_with("corrupted PNG: ")) << keep << ": " << s.message();
  }
  // A flipped byte in the image data fails the chunk's CRC.
  std::string flipped = *png;
  flipped[png->size() / 2] = static_cast<char>(flipped[png->size() / 2] ^ 0x40);
  Status s = DecodeQrPng(flipped).status();
  EXPECT_TRUE(IsInvalidArgument(s, "png"));
  EXPECT_TRUE(s.message().starts_with("corrupted PNG: ")) << s.message();
}

TEST(DecodeQrPng, SaysSoWhenThereIsNoQrCode) {
  std::vector<uint8_t> white(200 * 150, 0xFF);
  EXPECT_TRUE(IsInvalidArgument(DecodeQrPng(WritePng(200, 150, PNG_FORMAT_GRAY, white)).status(),
                                "png", "no readable QR code in the image"));
  // Random noise: something to look at, nothing to find.
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(300 * 300);
  for (uint8_t& p : noise) p = static_cast<uint8_t>(rng() & 0xFF);
  EXPECT_TRUE(IsInvalidArgument(DecodeQrPng(WritePng(300, 300, PNG_FORMAT_GRAY, noise)).status(),
                                "png", "no readable QR code in the image"));
}

TEST(DecodeQrPng, RefusesImagesOver8000Pixels) {
  std::vector<uint8_t> row(8001, 0xFF);
  Status s = DecodeQrPng(WritePng(8001, 1, PNG_FORMAT_GRAY, row)).status();
  EXPECT_TRUE(IsInvalidArgument(s, "png"));
  EXPECT_NE(s.message().find("larger than 8000x8000"), std::string::npos) << s.message();
  std::vector<uint8_t> column(8001, 0xFF);
  EXPECT_TRUE(
      IsInvalidArgument(DecodeQrPng(WritePng(1, 8001, PNG_FORMAT_GRAY, column)).status(), "png"));
}

}  // namespace
}  // namespace herdpass::cert

namespace herdpass::cert {
namespace {

// Byte mode takes any text, lower case included (a web address), and reads back as it was.
TEST(EncodeQrBytes, EncodesAWebAddressThatReadsBack) {
  const std::string url = "https://vet.example.kz/verify";
  Result<QrCode> qr = EncodeQrBytes(url);
  ASSERT_TRUE(qr.ok()) << qr.status().ToString();
  Result<std::string> png = QrPng(*qr, 4);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  Result<std::string> read = DecodeQrPng(*png);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, url);
  EXPECT_FALSE(EncodeQr(url).ok()) << "lower case is outside the alphanumeric set";
}

TEST(EncodeQrBytes, RefusesEmptyAndTooLongText) {
  EXPECT_TRUE(::herdpass::testing::IsInvalidArgument(EncodeQrBytes("").status(), "text"));
  EXPECT_TRUE(::herdpass::testing::IsInvalidArgument(EncodeQrBytes(std::string(1664, 'a')).status(),
                                                     "text"));
  EXPECT_TRUE(EncodeQrBytes(std::string(1663, 'a')).ok());
}

}  // namespace
}  // namespace herdpass::cert
