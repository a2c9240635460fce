// QR codes of HP1 strings (cert/qr.h): libqrencode to encode, libpng's simplified API to write and
// read PNG, ZBar to find and decode the code in an image.
#include "cert/qr.h"

#include <png.h>
#include <qrencode.h>
#include <zbar.h>  // in C++ it declares its C API inside namespace zbar

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace herdpass::cert {
namespace {

constexpr int kQuietZone = 4;  // modules of white around the symbol, as ISO/IEC 18004 requires
// Images larger than this are refused before any pixel is decoded: a QR code of version 40 at 8 px
// per module with its quiet zone is under 1,500 px, so 8000 leaves room for photos and scans while
// bounding the memory one request can take (64 MB of greyscale).
constexpr uint32_t kMaxImageSide = 8000;
constexpr int kMaxSvgScale = 1000;

bool IsQrAlphanumeric(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ' ' || c == '$' || c == '%' ||
         c == '*' || c == '+' || c == '-' || c == '.' || c == '/' || c == ':';
}

struct QrInputDeleter {
  void operator()(QRinput* p) const { QRinput_free(p); }
};
struct QrCodeDeleter {
  void operator()(QRcode* p) const { QRcode_free(p); }
};
struct ZbarScannerDeleter {
  void operator()(zbar::zbar_image_scanner_t* p) const { zbar::zbar_image_scanner_destroy(p); }
};
struct ZbarImageDeleter {
  void operator()(zbar::zbar_image_t* p) const { zbar::zbar_image_destroy(p); }
};

// Owns a png_image's libpng state on every path: png_image_free is a no-op once finish_read or a
// failed call has already released it.
struct PngImage {
  png_image image;
  PngImage() {
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
  }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

// REQUIRES: 0 <= x, y < qr.width and qr.modules holds width*width entries.
bool IsDark(const QrCode& qr, int x, int y) {
  return qr.modules[static_cast<size_t>(y) * static_cast<size_t>(qr.width) +
                    static_cast<size_t>(x)] != 0;
}

bool WellFormed(const QrCode& qr) {
  return qr.width > 0 &&
         qr.modules.size() == static_cast<size_t>(qr.width) * static_cast<size_t>(qr.width);
}

std::string PngMessage(const png_image& image) {
  // image.message is a fixed-size char array that libpng fills with a NUL-terminated message.
  return std::string(image.message, strnlen(image.message, sizeof image.message));
}

// One segment of `mode` at level Q; version 0 lets libqrencode choose the smallest version that
// holds it. The caller has checked the text fits the mode and the size.
Result<QrCode> EncodeSegment(std::string_view text, QRencodeMode mode) {
  std::unique_ptr<QRinput, QrInputDeleter> input(QRinput_new2(0, QR_ECLEVEL_Q));
  if (!input) return Internal("libqrencode: cannot allocate the input");
  if (QRinput_append(input.get(), mode, static_cast<int>(text.size()),
                     reinterpret_cast<const unsigned char*>(text.data())) != 0) {
    return Internal(std::string("libqrencode refused the segment: ") + std::strerror(errno));
  }
  errno = 0;
  std::unique_ptr<QRcode, QrCodeDeleter> code(QRcode_encodeInput(input.get()));
  if (!code) {
    if (errno == ERANGE) return InvalidArgument("text", "too long for a QR code at level Q");
    return Internal(std::string("libqrencode failed: ") + std::strerror(errno));
  }
  QrCode qr;
  qr.version = code->version;
  qr.width = code->width;
  const size_t n = static_cast<size_t>(code->width) * static_cast<size_t>(code->width);
  qr.modules.resize(n);
  // libqrencode's bit 0 is "dark"; the other bits describe what the module is for.
  for (size_t i = 0; i < n; ++i) qr.modules[i] = code->data[i] & 1;
  return qr;
}

}  // namespace

Result<QrCode> EncodeQr(std::string_view text) {
  if (text.empty()) return InvalidArgument("text", "nothing to encode");
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsQrAlphanumeric(text[i])) {
      return InvalidArgument("text", "character at offset " + std::to_string(i) +
                                         " is outside the QR alphanumeric set (0-9 A-Z space $ % "
                                         "* + - . / :)");
    }
  }
  // Version 40 holds at most 2,420 alphanumeric characters at level Q; refusing longer text here
  // keeps the size within int for libqrencode and gives a clear message.
  constexpr size_t kMaxAlphanumericQ = 2420;
  if (text.size() > kMaxAlphanumericQ) {
    return InvalidArgument("text",
                           "too long for a QR code at level Q: " + std::to_string(text.size()) +
                               " characters, at most " + std::to_string(kMaxAlphanumericQ));
  }
  // QRcode_encodeString would split the text into numeric, alphanumeric and byte segments as it
  // sees fit (and accepts only QR_MODE_8 or QR_MODE_KANJI as its hint). One explicit alphanumeric
  // segment makes the version a function of the length alone, which is what the HP1 rule "all
  // ear tags when they fit version 25" is computed against.
  return EncodeSegment(text, QR_MODE_AN);
}

Result<QrCode> EncodeQrBytes(std::string_view text) {
  if (text.empty()) return InvalidArgument("text", "nothing to encode");
  // Version 40 holds at most 1,663 bytes at level Q.
  constexpr size_t kMaxBytesQ = 1663;
  if (text.size() > kMaxBytesQ) {
    return InvalidArgument("text",
                           "too long for a QR code at level Q: " + std::to_string(text.size()) +
                               " bytes, at most " + std::to_string(kMaxBytesQ));
  }
  return EncodeSegment(text, QR_MODE_8);
}

std::string QrSvg(const QrCode& qr, int scale) {
  // Clamped so that the coordinates stay far inside int even for version 40.
  scale = std::clamp(scale, 1, kMaxSvgScale);
  const int side = (qr.width + 2 * kQuietZone) * scale;
  const std::string s = std::to_string(scale);
  std::string out;
  out.reserve(static_cast<size_t>(qr.width) * static_cast<size_t>(qr.width) * 4 + 400);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
  out += std::to_string(side) + " " + std::to_string(side) + "\" width=\"" + std::to_string(side) +
         "\" height=\"" + std::to_string(side) +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  out += "<path fill=\"#000\" d=\"";
  // One subpath per horizontal run of dark modules: a few thousand short segments instead of one
  // rectangle per module, and every run edge falls on a whole user unit (crisp at any zoom).
  const bool sane = WellFormed(qr);
  for (int y = 0; sane && y < qr.width; ++y) {
    for (int x = 0; x < qr.width;) {
      if (!IsDark(qr, x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < qr.width && IsDark(qr, x + run, y)) ++run;
      out += "M" + std::to_string((x + kQuietZone) * scale) + " " +
             std::to_string((y + kQuietZone) * scale) + "h" + std::to_string(run * scale) + "v" +
             s + "h-" + std::to_string(run * scale) + "z";
      x += run;
    }
  }
  out += "\"/></svg>";
  return out;
}

Result<std::string> QrPng(const QrCode& qr, int scale) {
  if (!WellFormed(qr)) {
    return InvalidArgument("qr", "not a QR code: width and module count disagree");
  }
  const int64_t side = (static_cast<int64_t>(qr.width) + 2 * kQuietZone) * scale;
  if (scale < 1 || side > kMaxImageSide) {
    return InvalidArgument("scale", "must make an image of 1 to " + std::to_string(kMaxImageSide) +
                                        " pixels per side");
  }
  const auto w = static_cast<size_t>(side);
  std::vector<uint8_t> pixels(w * w, 0xFF);
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width; ++x) {
      if (!IsDark(qr, x, y)) continue;
      for (int dy = 0; dy < scale; ++dy) {
        const size_t row = static_cast<size_t>((y + kQuietZone) * scale + dy);
        std::memset(&pixels[row * w + static_cast<size_t>((x + kQuietZone) * scale)], 0,
                    static_cast<size_t>(scale));
      }
    }
  }
  // The simplified API keeps libpng's setjmp/longjmp inside libpng's own C code and reports
  // failure as a return value, so no longjmp ever crosses a C++ frame here.
  PngImage png;
  png.image.width = static_cast<png_uint_32>(w);
  png.image.height = static_cast<png_uint_32>(w);
  png.image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png.image, nullptr, &size, 0, pixels.data(), 0, nullptr)) {
    return Internal("libpng: " + PngMessage(png.image));
  }
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png.image, out.data(), &size, 0, pixels.data(), 0, nullptr)) {
    return Internal("libpng: " + PngMessage(png.image));
  }
  out.resize(size);
  return out;
}

Result<std::string> DecodeQrPng(std::string_view png_bytes) {
  static constexpr size_t kSignatureSize = 8;
  if (png_bytes.size() < kSignatureSize ||
      png_sig_cmp(reinterpret_cast<png_const_bytep>(png_bytes.data()), 0, kSignatureSize) != 0) {
    return InvalidArgument("png", "not a PNG image");
  }
  PngImage png;
  if (!png_image_begin_read_from_memory(&png.image, png_bytes.data(), png_bytes.size())) {
    return InvalidArgument("png", "corrupted PNG: " + PngMessage(png.image));
  }
  if (png.image.width == 0 || png.image.height == 0 || png.image.width > kMaxImageSide ||
      png.image.height > kMaxImageSide) {
    return InvalidArgument("png", "image of " + std::to_string(png.image.width) + "x" +
                                      std::to_string(png.image.height) + " pixels is larger than " +
                                      std::to_string(kMaxImageSide) + "x" +
                                      std::to_string(kMaxImageSide));
  }
  // Whatever the colour type and bit depth, libpng hands back 8-bit grey; transparency is
  // composited onto white, as a printed or displayed code would be seen.
  png.image.format = PNG_FORMAT_GRAY;
  const size_t width = png.image.width;
  const size_t height = png.image.height;
  std::vector<uint8_t> grey(width * height);
  const png_color white{0xFF, 0xFF, 0xFF};
  if (!png_image_finish_read(&png.image, &white, grey.data(), 0, nullptr)) {
    return InvalidArgument("png", "corrupted PNG: " + PngMessage(png.image));
  }

  std::unique_ptr<zbar::zbar_image_scanner_t, ZbarScannerDeleter> scanner(
      zbar::zbar_image_scanner_create());
  std::unique_ptr<zbar::zbar_image_t, ZbarImageDeleter> image(zbar::zbar_image_create());
  if (!scanner || !image) return Internal("zbar: cannot allocate a scanner");
  // Only QR codes: a linear barcode elsewhere in a photo must not be mistaken for a certificate.
  zbar::zbar_image_scanner_set_config(scanner.get(), zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  zbar::zbar_image_scanner_set_config(scanner.get(), zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  zbar::zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image.get(), static_cast<unsigned>(width),
                            static_cast<unsigned>(height));
  // No cleanup handler: `grey` owns the pixels and outlives the image.
  zbar::zbar_image_set_data(image.get(), grey.data(), grey.size(), nullptr);
  const int found = zbar::zbar_scan_image(scanner.get(), image.get());
  if (found < 0) return Internal("zbar: scanning failed");
  for (const zbar::zbar_symbol_t* sym = zbar::zbar_image_first_symbol(image.get()); sym != nullptr;
       sym = zbar::zbar_symbol_next(sym)) {
    if (zbar::zbar_symbol_get_type(sym) != zbar::ZBAR_QRCODE) continue;
    return std::string(zbar::zbar_symbol_get_data(sym), zbar::zbar_symbol_get_data_length(sym));
  }
  return InvalidArgument("png", "no readable QR code in the image");
}

}  // namespace herdpass::cert
