// Source of random bytes, injected into service/ as the Clock is (domain/time.h), so that a test
// can make two certificates draw the same number and watch the retry.
#pragma once

#include <cstdint>
#include <span>

namespace herdpass {

// Implementations are thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes.
  virtual void Fill(std::span<uint8_t> out) const = 0;
};

// libsodium's CSPRNG (randombytes_buf). REQUIRES: sodium_init() succeeded before the first Fill.
class SystemRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) const override;
};

// A process-wide SystemRandom, for callers that do not inject their own. Stateless and thread-safe.
const RandomSource& SystemRandomSource();

}  // namespace herdpass
