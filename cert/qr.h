// QR codes of HP1 strings: rendering with libqrencode (alphanumeric mode, error correction level Q;
// "HP1:" + base45 uses only the QR alphanumeric alphabet, so the whole text encodes in that mode),
// and reading back from a PNG image with ZBar (for `herdpass verify --png` and tests).
// Thread-safe: free functions over values; each call has its own libqrencode, libpng and ZBar
// state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace herdpass::cert {

struct QrCode {
  int version = 0;               // 1..40
  int width = 0;                 // modules per side
  std::vector<uint8_t> modules;  // width*width, row-major, 1 = dark
};

// kInvalidArgument (field "text") when the text is empty, has characters outside the alphanumeric
// set (0-9 A-Z space $ % * + - . / :) or is too long for a QR code at level Q (2,420 characters).
// The whole text is one alphanumeric segment, so the version depends on the length alone: version
// 25 holds at most 1,041 characters at level Q (ISO/IEC 18004 table 7).
Result<QrCode> EncodeQr(std::string_view text);

// Any text (a web address with lower-case letters: "https://vet.example.kz/verify") as one 8-bit
// byte segment at level Q. kInvalidArgument (field "text") when empty or over 1,663 bytes.
Result<QrCode> EncodeQrBytes(std::string_view text);

// An SVG document (one <path>, 4-module quiet zone), `scale` user units per module (clamped to
// 1..1000). A QrCode whose modules do not match its width gives an empty path.
std::string QrSvg(const QrCode& qr, int scale = 4);
// A PNG (8-bit greyscale, libpng) with a 4-module quiet zone, `scale` pixels per module.
// kInvalidArgument: field "qr" when the modules do not match the width, "scale" when scale < 1 or
// the image would exceed 8000 pixels per side.
Result<std::string> QrPng(const QrCode& qr, int scale = 4);

// Finds and decodes the QR codes in a PNG image (libpng + ZBar); returns the first one's text.
// kInvalidArgument, field "png": "not a PNG image" (wrong signature), "corrupted PNG: <libpng's
// reason>" (truncated, bad CRC, bad data), an image over 8000x8000 pixels (refused before its
// pixels are decoded), or "no readable QR code in the image". Any colour type and bit depth is
// read (converted to 8-bit grey; transparency over white).
Result<std::string> DecodeQrPng(std::string_view png_bytes);

}  // namespace herdpass::cert
