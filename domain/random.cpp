#include "domain/random.h"

#include <sodium.h>

namespace herdpass {

void SystemRandom::Fill(std::span<uint8_t> out) const { randombytes_buf(out.data(), out.size()); }

const RandomSource& SystemRandomSource() {
  static const SystemRandom kRandom;
  return kRandom;
}

}  // namespace herdpass
