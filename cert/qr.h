// QR codes of HP1 strings: rendering with libqrencode (alphanumeric mode, error correction level Q;
// "HP1:" + base45 uses only the QR alphanumeric alphabet, so the whole text encodes in that mode),
// and reading back from a PNG image with ZBar (for `herdpass verify --png` and tests).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace herdpass::cert {

struct QrCode {
  int version = 0;  // 1..40
  int width = 0;    // modules per side
  std::vector<uint8_t> modules;  // width*width, row-major, 1 = dark
};

// kInvalidArgument when the text has characters outside the alphanumeric set or is too long for
// a QR code at level Q.
Result<QrCode> EncodeQr(std::string_view text);

// An SVG document (one <path>, 4-module quiet zone), `scale` user units per module.
std::string QrSvg(const QrCode& qr, int scale = 4);
// A PNG (8-bit greyscale, libpng) with a 4-module quiet zone, `scale` pixels per module.
Result<std::string> QrPng(const QrCode& qr, int scale = 4);

// Finds and decodes the QR codes in a PNG image (libpng + ZBar); returns the first one's text.
// kInvalidArgument when the bytes are not a PNG or it holds no readable QR code.
Result<std::string> DecodeQrPng(std::string_view png_bytes);

}  // namespace herdpass::cert
