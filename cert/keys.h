// Private key files. An authority's signing key and a country's root key each live in their own
// file under <data dir>/keys/, mode 0600, created with O_EXCL so nothing else can read or replace
// it; never in the database, never in a response, never in a log line. The store keeps only the
// public half (SigningKey).
//
// File format (one line, text): "herdpass-ed25519-seed:" + base64 of the 32-byte seed + "\n".
// The file is named <kid hex>.key.
#pragma once

#include <filesystem>
#include <string>

#include "cert/hp1.h"
#include "domain/status.h"

namespace herdpass::cert {

// Writes a new key file for `signer` in `dir` (created 0700 if missing); kAlreadyExists when the
// file exists, kUnavailable on an I/O error.
Status WriteKeyFile(const std::filesystem::path& dir, const Ed25519Signer& signer);
// Reads <dir>/<kid>.key. kNotFound when missing; kFailedPrecondition when the file is readable by
// group or others (the message says to chmod 600), or does not hold the key its name says;
// kInvalidArgument (field "kid") when `kid_hex` is not 16 lowercase hex digits, so that it can
// never name another path.
Result<Ed25519Signer> ReadKeyFile(const std::filesystem::path& dir, const std::string& kid_hex);

}  // namespace herdpass::cert
