// The fixture of the black-box suites that share one server: `herdpass init`, a command or two
// (e.g. `herdpass demo`), the suite's users, `herdpass serve`, and each user's token, made once per
// suite (SetUpTestSuite) and torn down after its last test. One implementation for api_test,
// certificate_api_test and authz_test; each suite says what it needs in a static Spec().
//
// Use: class MyTest : public SharedServerTest<MyTest> { public: static SharedServerSpec Spec(); };
// CRTP gives every suite statics of its own. Tests of a suite each use their own phone numbers
// and ear tags, so they stay independent whether ctest runs them one process each or together.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/api/herdpass_env.h"

namespace herdpass::testing {

struct SharedServerSpec {
  // `herdpass ARGS --data DIR` run after init and before the users are added; each must succeed.
  std::vector<std::vector<std::string>> commands;
  std::vector<TestUser> users;     // added; each, and the admin init made, logged in (Token(name))
  std::set<std::string> no_token;  // users added but not logged in (a login-throttle test's)
  std::vector<std::string> serve_args;
  // After the suite: the server exits 0 on SIGTERM and `herdpass audit verify` passes.
  bool check_on_stop = true;
};

template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      const SharedServerSpec spec = Suite::Spec();
      check_on_stop_ = spec.check_on_stop;
      env_ = new HerdpassEnv();
      env_->Init();
      for (const auto& args : spec.commands) {
        CommandResult r = env_->Run(args);
        if (!r.ok()) throw std::runtime_error("herdpass " + args.front() + ": " + r.out + r.err);
        command_out_.push_back(r.out);
      }
      for (const auto& u : spec.users) env_->AddUser(u);
      env_->StartServer(spec.serve_args);
      tokens_["admin"] = env_->Login("admin");
      for (const auto& u : spec.users) {
        if (!spec.no_token.count(u.username)) tokens_[u.username] = env_->Login(u.username);
      }
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }

  static void TearDownTestSuite() {
    if (env_ != nullptr && setup_error_.empty() && check_on_stop_) {
      ExitStatus s = env_->StopServer();
      EXPECT_TRUE(s.exited && s.code == 0)
          << "serve ended by signal " << s.signal << " or code " << s.code << "\n"
          << env_->ServerLog();
      // Whatever the tests did, the audit chain must still verify.
      CommandResult v = env_->Run({"audit", "verify"});
      EXPECT_TRUE(v.ok()) << v.out << v.err;
    }
    delete env_;
    env_ = nullptr;
    tokens_.clear();
    command_out_.clear();
    setup_error_.clear();
  }

  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    client_ = env_->Client();
  }

  static const std::string& Token(const std::string& user) { return tokens_.at(user); }

  static inline HerdpassEnv* env_ = nullptr;
  static inline std::map<std::string, std::string> tokens_;
  static inline std::string setup_error_;
  // What each of spec.commands printed, in order.
  static inline std::vector<std::string> command_out_;
  static inline bool check_on_stop_ = true;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace herdpass::testing
