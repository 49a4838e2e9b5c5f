#include "cli/env_names.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace signpost::cli {
namespace {

TEST(EnvNames, FromTheLongName) {
  EXPECT_EQ(EnvNameOf("port"), "SIGNPOST_PORT");
  EXPECT_EQ(EnvNameOf("--journey-partitions"), "SIGNPOST_JOURNEY_PARTITIONS");
  EXPECT_EQ(EnvNameOf("tls-cert"), "SIGNPOST_TLS_CERT");
}

// A serve-like command: a flag beats the variable, the variable beats the default, and an option
// added by anyone before AddEnvNames gets its variable too.
class EnvNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cmd_ = app_.add_subcommand("serve");
    cmd_->add_option("--port", port_)->capture_default_str();
    cmd_->add_option("--journey-partitions", partitions_);
    cmd_->add_flag("--verbose-thing", flag_);
    AddEnvNames(*cmd_);
  }
  void TearDown() override {
    unsetenv("SIGNPOST_PORT");
    unsetenv("SIGNPOST_JOURNEY_PARTITIONS");
    unsetenv("SIGNPOST_VERBOSE_THING");
  }
  void Parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app_.parse(args);
  }
  CLI::App app_;
  CLI::App* cmd_ = nullptr;
  int port_ = 8080;
  int partitions_ = 2;
  bool flag_ = false;
};

TEST_F(EnvNamesTest, TheDefaultWithoutEither) {
  Parse({"serve"});
  EXPECT_EQ(port_, 8080);
  EXPECT_EQ(partitions_, 2);
  EXPECT_FALSE(flag_);
}

TEST_F(EnvNamesTest, TheVariableOverTheDefault) {
  setenv("SIGNPOST_PORT", "9123", 1);
  setenv("SIGNPOST_JOURNEY_PARTITIONS", "7", 1);
  setenv("SIGNPOST_VERBOSE_THING", "true", 1);
  Parse({"serve"});
  EXPECT_EQ(port_, 9123);
  EXPECT_EQ(partitions_, 7);
  EXPECT_TRUE(flag_);
}

TEST_F(EnvNamesTest, TheFlagOverTheVariable) {
  setenv("SIGNPOST_PORT", "9123", 1);
  Parse({"serve", "--port", "7000"});
  EXPECT_EQ(port_, 7000);
}

TEST_F(EnvNamesTest, HelpNamesEachVariableButNotForHelp) {
  EXPECT_EQ(cmd_->get_help_ptr()->get_envname(), "");
  const std::string help = cmd_->help();
  EXPECT_NE(help.find("SIGNPOST_PORT"), std::string::npos) << help;
  EXPECT_NE(help.find("SIGNPOST_JOURNEY_PARTITIONS"), std::string::npos) << help;
}

TEST_F(EnvNamesTest, ABadValueInTheVariableIsAnError) {
  setenv("SIGNPOST_PORT", "eighty", 1);
  EXPECT_THROW(Parse({"serve"}), CLI::ParseError);
}

}  // namespace
}  // namespace signpost::cli
