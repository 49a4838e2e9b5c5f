// Remote mode's settings: flag > environment > config file, the config file's checks, and the
// refusals that name what to fix.
#include "cli/remote_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace signpost::cli {
namespace {

namespace fs = std::filesystem;

class RemoteConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("signpost-remote-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "xdg" / "signpost");
    env_["XDG_CONFIG_HOME"] = (dir_ / "xdg").string();
    env_["HOME"] = (dir_ / "home").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ConfigPath() const { return (dir_ / "xdg" / "signpost" / "config.yaml").string(); }
  void WriteConfig(const std::string& text, mode_t mode = 0600) {
    std::ofstream(ConfigPath()) << text;
    ::chmod(ConfigPath().c_str(), mode);
  }
  EnvGetter Env() const {
    return [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }
  Status Resolve(Globals& g, RemoteContext context = {}) const {
    return ResolveRemote(g, context, Env());
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(RemoteConfigTest, ConfigPathFollowsSignpostConfigThenXdgThenHome) {
  EXPECT_EQ(FindConfigPath(Env()).path, ConfigPath());
  EXPECT_FALSE(FindConfigPath(Env()).explicit_path);
  env_.erase("XDG_CONFIG_HOME");
  EXPECT_EQ(FindConfigPath(Env()).path, (dir_ / "home" / ".config/signpost/config.yaml").string());
  env_["SIGNPOST_CONFIG"] = "/etc/signpost.yaml";
  EXPECT_EQ(FindConfigPath(Env()).path, "/etc/signpost.yaml");
  EXPECT_TRUE(FindConfigPath(Env()).explicit_path);
}

TEST_F(RemoteConfigTest, NothingAnywhereIsLocalMode) {
  Globals g;
  ASSERT_TRUE(Resolve(g).ok());
  EXPECT_EQ(g.server, "");
}

TEST_F(RemoteConfigTest, FlagBeatsEnvironmentBeatsFile) {
  WriteConfig("server: http://file:1\ntoken: spa_file\ncacert: ca.pem\ninsecure: true\n");
  {
    Globals g;
    ASSERT_TRUE(Resolve(g).ok());
    EXPECT_EQ(g.server, "http://file:1");
    EXPECT_EQ(g.token, "spa_file");
    EXPECT_EQ(g.cacert, (dir_ / "xdg" / "signpost" / "ca.pem").string())
        << "a relative cacert is read from the config file's folder";
    EXPECT_TRUE(g.insecure);
  }
  env_["SIGNPOST_SERVER"] = "https://env:2";
  env_["SIGNPOST_TOKEN"] = "spa_env";
  env_["SIGNPOST_CACERT"] = "/env/ca.pem";
  {
    Globals g;
    ASSERT_TRUE(Resolve(g).ok());
    EXPECT_EQ(g.server, "https://env:2");
    EXPECT_EQ(g.token, "spa_env");
    EXPECT_EQ(g.cacert, "/env/ca.pem");
  }
  {
    Globals g;
    g.server = "http://flag:3";
    g.token = "spa_flag";
    ASSERT_TRUE(Resolve(g).ok());
    EXPECT_EQ(g.server, "http://flag:3");
    EXPECT_EQ(g.token, "spa_flag");
  }
  {
    // Each setting on its own: the flag's server with the file's... no, the environment's token.
    Globals g;
    g.server = "http://flag:3";
    ASSERT_TRUE(Resolve(g).ok());
    EXPECT_EQ(g.token, "spa_env");
  }
}

TEST_F(RemoteConfigTest, DataFlagMeansLocalAndConflictsWithServerFlag) {
  env_["SIGNPOST_SERVER"] = "http://env:2";
  env_["SIGNPOST_TOKEN"] = "spa_env";
  Globals local;
  ASSERT_TRUE(Resolve(local, {.data_flag = true}).ok());
  EXPECT_EQ(local.server, "") << "--data wins over a server from the environment or the file";
  Globals both;
  both.server = "http://flag:3";
  Status s = Resolve(both, {.data_flag = true});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("--data and --server: give one", 0), 0u) << s.message();
}

TEST_F(RemoteConfigTest, ServeIgnoresTheEnvironmentAndRefusesTheFlag) {
  env_["SIGNPOST_SERVER"] = "http://env:2";
  Globals g;
  ASSERT_TRUE(Resolve(g, {.serving = true}).ok());
  EXPECT_EQ(g.server, "");
  g.server = "http://flag:3";
  EXPECT_EQ(Resolve(g, {.serving = true}).message().rfind("--server: `serve` runs", 0), 0u);
}

TEST_F(RemoteConfigTest, RefusesAServerThatIsNotHttpOrHttps) {
  Globals g;
  g.server = "localhost:8080";
  g.token = "spa_x";
  Status s = Resolve(g);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'localhost:8080' is not an http:// or https:// URL"),
            std::string::npos)
      << s.message();
  env_["SIGNPOST_SERVER"] = "ftp://x";
  Globals from_env;
  EXPECT_EQ(Resolve(from_env).message().rfind("SIGNPOST_SERVER: 'ftp://x'", 0), 0u);
  Globals upper;
  upper.server = "HTTPS://X";
  upper.token = "spa_x";
  EXPECT_TRUE(Resolve(upper).ok());
}

TEST_F(RemoteConfigTest, RemoteModeWithoutATokenSaysWhereOneComesFrom) {
  Globals g;
  g.server = "http://flag:3";
  Status s = Resolve(g);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(
      s.message().find("no admin token was given: use --token, SIGNPOST_TOKEN or `token:` in " +
                       ConfigPath()),
      std::string::npos)
      << s.message();
}

TEST_F(RemoteConfigTest, ATokenReadableByOthersIsRefused) {
  WriteConfig("server: http://file:1\ntoken: spa_file\n", 0644);
  Globals g;
  Status s = Resolve(g);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("mode 0644); run `chmod 600 " + ConfigPath() + "`"), std::string::npos)
      << s.message();
  // Without a token the file holds nothing secret.
  WriteConfig("server: http://file:1\n", 0644);
  Globals no_token;
  no_token.token = "spa_flag";
  EXPECT_TRUE(Resolve(no_token).ok());
}

TEST_F(RemoteConfigTest, ABadConfigFileIsNamed) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"sever: http://x\n",
            "unknown key `sever`; the keys are server, token, cacert, insecure"},
           {"- a\n- b\n", "expected a YAML map of server, token, cacert, insecure"},
           {"server: [a, b]\n", "`server` must be a single value"},
           {"insecure: yes please\n", "`insecure` must be true or false, got 'yes please'"},
           {"token: [unclosed\n", "line "},
       }) {
    WriteConfig(text);
    Globals g;
    Status s = Resolve(g);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << text;
    EXPECT_NE(s.message().find("config file " + ConfigPath() + ": "), std::string::npos)
        << s.message();
    EXPECT_NE(s.message().find(expected), std::string::npos) << s.message();
  }
  WriteConfig(std::string(kMaxConfigBytes + 1, '#'));
  Globals big;
  EXPECT_NE(Resolve(big).message().find("over the 64 KiB"), std::string::npos);
}

TEST_F(RemoteConfigTest, AMissingFileIsFineUnlessSignpostConfigNamesIt) {
  Globals g;
  EXPECT_TRUE(Resolve(g).ok());  // no config.yaml in the XDG folder
  env_["SIGNPOST_CONFIG"] = (dir_ / "nope.yaml").string();
  Status s = Resolve(g);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("SIGNPOST_CONFIG names " + (dir_ / "nope.yaml").string()),
            std::string::npos);
}

}  // namespace
}  // namespace signpost::cli
