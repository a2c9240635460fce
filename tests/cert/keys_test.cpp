// Key files: created 0600 with O_EXCL in a 0700 directory, refused when others can read them or
// when they hold another key than their name says.
#include "cert/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cert/cert_test_util.h"

namespace herdpass::cert {
namespace {

namespace fs = std::filesystem;
using testing::FixedSigner;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("herdpass-keys-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(root_);
    dir_ = root_ / "data" / "keys";
  }
  void TearDown() override { fs::remove_all(root_); }

  static mode_t ModeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(KeyFileTest, WritesAndReadsBack) {
  Ed25519Signer s = FixedSigner(3);
  ASSERT_TRUE(WriteKeyFile(dir_, s).ok());
  const fs::path file = dir_ / (s.kid_hex() + ".key");
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(file), 0600u);
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("herdpass-ed25519-seed:", 0), 0u);
  EXPECT_EQ(line.size(), 22u + 44u);  // base64 of 32 bytes
  auto back = ReadKeyFile(dir_, s.kid_hex());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), s.public_key());
  EXPECT_EQ(back->seed(), s.seed());
}

TEST_F(KeyFileTest, NeverOverwrites) {
  Ed25519Signer s = FixedSigner(3);
  ASSERT_TRUE(WriteKeyFile(dir_, s).ok());
  EXPECT_EQ(WriteKeyFile(dir_, s).code(), StatusCode::kAlreadyExists);
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
  fs::create_directories(dir_);
  EXPECT_EQ(ReadKeyFile(dir_, FixedSigner(3).kid_hex()).status().code(), StatusCode::kNotFound);
}

TEST_F(KeyFileTest, RefusesAFileOthersCanRead) {
  Ed25519Signer s = FixedSigner(3);
  ASSERT_TRUE(WriteKeyFile(dir_, s).ok());
  const fs::path file = dir_ / (s.kid_hex() + ".key");
  for (mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto r = ReadKeyFile(dir_, s.kid_hex());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << mode;
    EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos);
  }
}

TEST_F(KeyFileTest, RefusesAFileHoldingAnotherKey) {
  Ed25519Signer a = FixedSigner(3);
  Ed25519Signer b = FixedSigner(4);
  ASSERT_TRUE(WriteKeyFile(dir_, a).ok());
  fs::rename(dir_ / (a.kid_hex() + ".key"), dir_ / (b.kid_hex() + ".key"));
  EXPECT_EQ(ReadKeyFile(dir_, b.kid_hex()).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyFileTest, RefusesMalformedFiles) {
  fs::create_directories(dir_);
  const std::string kid = FixedSigner(3).kid_hex();
  const fs::path file = dir_ / (kid + ".key");
  for (std::string content :
       {std::string(""), std::string("herdpass-ed25519-seed:\n"),
        std::string("herdpass-ed25519-seed:AAAA\n"), std::string("something else entirely\n"),
        std::string("herdpass-ed25519-seed:") + std::string(44, 'A')}) {
    fs::remove(file);
    { std::ofstream(file) << content; }
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
    EXPECT_EQ(ReadKeyFile(dir_, kid).status().code(), StatusCode::kFailedPrecondition) << content;
  }
}

TEST_F(KeyFileTest, KidMustBeHexSoItCannotNameAnotherPath) {
  EXPECT_EQ(ReadKeyFile(dir_, "../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadKeyFile(dir_, "ABCDEF0123456789").status().code(), StatusCode::kInvalidArgument);
}

TEST(Ed25519SignerTest, FromSeedIsDeterministicAndChecksTheSize) {
  Ed25519Signer a = FixedSigner(3);
  Ed25519Signer b = FixedSigner(3);
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_EQ(a.public_key().size(), 32u);
  EXPECT_EQ(a.kid_hex(), KidHex(KidOf(a.public_key())));
  EXPECT_EQ(a.Sign(Bytes{1, 2, 3}).size(), 64u);
  EXPECT_NE(Ed25519Signer::Generate().public_key(), Ed25519Signer::Generate().public_key());
  EXPECT_EQ(Ed25519Signer::FromSeed(Bytes(31, 0)).status().code(), StatusCode::kInvalidArgument);
}

TEST(Ed25519SignerTest, MatchesRfc8032TestVector1) {
  // RFC 8032 section 7.1, TEST 1: secret key (seed) and public key.
  Bytes seed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
  Bytes pub = {0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
               0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
               0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
  auto s = Ed25519Signer::FromSeed(seed);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->public_key(), pub);
  // The signature of the empty message starts e5564300c360ac72.
  Bytes sig = s->Sign({});
  EXPECT_EQ(KidHex(ByteView(sig).first(8)), "e5564300c360ac72");
}

}  // namespace
}  // namespace herdpass::cert
