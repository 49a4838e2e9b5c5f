// The one setup of the engine-level tests: a new data folder, an Engine opened on it with a
// ManualClock, and the folder removed afterwards. Use it as the test's base class:
//   class MyTest : public EngineFixture<> {};                       // TEST_F
//   class MyScenario : public EngineFixture<::testing::TestWithParam<std::string>> {};
// Members keep the names every engine test uses: dir_, clock_, engine_. Not thread-safe (a test
// fixture); the Engine itself is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "base/time.h"
#include "signpost/engine.h"

namespace signpost {

template <class Base = ::testing::Test>
class EngineFixture : public Base {
 protected:
  // A new folder, the clock at StartAt(), and the engine open (unless OpenAtSetUp() says not).
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("signpost-test-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(std::random_device{}()));
    clock_.Set(*ParseIso8601(StartAt()));
    if (OpenAtSetUp()) {
      ASSERT_NO_FATAL_FAILURE(Open());
    }
  }
  void TearDown() override {
    engine_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Where the clock starts; override for another start.
  virtual std::string StartAt() const { return "2026-11-24T12:00:00Z"; }
  // Whether SetUp opens the engine (a test that must set files up first returns false).
  virtual bool OpenAtSetUp() const { return true; }
  // The options every open uses: this folder, this clock, no fsync (no power cut in a test).
  virtual EngineOptions Options() const {
    EngineOptions o;
    o.data_dir = dir_.string();
    o.clock = &clock_;
    o.sync = false;
    return o;
  }

  // Opens the engine (closing the open one first), with Options() changed by `tweak`.
  void Open(const std::function<void(EngineOptions&)>& tweak = {}) {
    engine_.reset();
    EngineOptions o = Options();
    if (tweak) tweak(o);
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }
  // Closes and opens the same folder again, as a restart does.
  void Reopen() { Open(); }
  // A new write key's token.
  std::string WriteKey() {
    auto k = engine_->CreateKey("write", "test");
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? (*k)["token"].template get<std::string>() : "";
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace signpost
