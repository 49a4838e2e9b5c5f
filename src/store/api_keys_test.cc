#include "store/api_keys.h"

#include <gtest/gtest.h>

#include <set>

#include "store/store.h"
#include "store/test_util.h"

namespace signpost::store {
namespace {

using testing::TempDir;

TEST(ApiKeys, CreateCheckRevokeAndReopen) {
  TempDir tmp;
  std::string write_token, admin_token;
  {
    auto store = Store::Open({tmp.path(), true});
    ASSERT_TRUE(store.ok());
    auto& keys = (*store)->keys();
    auto w = keys.Create("write", "web app", 10);
    auto a = keys.Create("admin", "ops", 20);
    ASSERT_TRUE(w.ok() && a.ok());
    write_token = w->token;
    admin_token = a->token;
    EXPECT_EQ(write_token.rfind("spw_", 0), 0u);
    EXPECT_EQ(admin_token.rfind("spa_", 0), 0u);
    EXPECT_EQ(write_token.size(), 36u);
    EXPECT_TRUE(keys.Check(write_token, "write"));
    EXPECT_FALSE(keys.Check(write_token, "admin"));  // a write key is not an admin token
    EXPECT_TRUE(keys.Check(admin_token, "admin"));
    EXPECT_FALSE(keys.Check("spw_nope", "write"));
    EXPECT_FALSE(keys.Check("", "write"));
    EXPECT_EQ(keys.Create("reader", "x", 0).status().code(), Code::kInvalidArgument);

    auto revoked = keys.Revoke(write_token.substr(0, 12), 30);
    ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
    EXPECT_TRUE(revoked->revoked);
    EXPECT_EQ(revoked->revoked_at, 30);
    EXPECT_FALSE(keys.Check(write_token, "write"));
    EXPECT_EQ(keys.Revoke("spw_", 0).status().code(), Code::kInvalidArgument);  // too short
    EXPECT_EQ(keys.Revoke("spw_zzzzzzzz", 0).status().code(), Code::kNotFound);
  }
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& keys = (*store)->keys();
  EXPECT_FALSE(keys.Check(write_token, "write"));  // revocation is durable
  EXPECT_TRUE(keys.Check(admin_token, "admin"));
  auto list = keys.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "web app");
  EXPECT_TRUE(list[0].revoked);
  EXPECT_EQ(list[1].kind, "admin");
  EXPECT_FALSE(list[1].revoked);
}

TEST(ApiKeys, TokensAreRandomAndAmbiguousPrefixesAreRefused) {
  TempDir tmp;
  auto store = Store::Open({tmp.path(), true});
  ASSERT_TRUE(store.ok());
  auto& keys = (*store)->keys();
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) tokens.insert(keys.Create("write", "k", i)->token);
  EXPECT_EQ(tokens.size(), 50u);
  // Every 50 tokens share "spw_" plus, almost surely, some longer common prefix with a sibling;
  // a prefix matching all of them is refused rather than revoking an arbitrary one.
  EXPECT_EQ(keys.Revoke("spw_", 0).status().code(), Code::kInvalidArgument);
  auto prefix_of_two = [&]() -> std::string {
    for (auto it = tokens.begin(); std::next(it) != tokens.end(); ++it) {
      const auto& a = *it;
      const auto& b = *std::next(it);
      size_t n = 0;
      while (a[n] == b[n]) ++n;
      if (n >= 8) return a.substr(0, n);
    }
    return "";
  }();
  if (!prefix_of_two.empty()) {
    EXPECT_EQ(keys.Revoke(prefix_of_two, 0).status().code(), Code::kInvalidArgument);
  }
  for (const auto& t : tokens) EXPECT_TRUE(keys.Check(t, "write"));
}

}  // namespace
}  // namespace signpost::store
