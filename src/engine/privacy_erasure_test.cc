// The proofs of erasure (docs/CONTRACT.md, privacy): after an erase and its purge no byte of the
// person is left in any file of the data folder; re-importing the original file adds nothing for
// them; reports no longer count them; an erase killed with SIGKILL half way completes at the next
// open, touching nobody else.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "engine/engine_impl.h"
#include "engine/test_support.h"
#include "store/store.h"

namespace signpost {
namespace {

constexpr TimeMs kErasureHour = 3600 * 1000;

// Every regular file under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::filesystem::path& dir,
                                         std::string_view needle) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.find(needle) != std::string::npos) out.push_back(entry.path().filename().string());
  }
  return out;
}

// One person as an NDJSON file would carry them: an identify linking the ids with an email, and
// three tracks.
std::string PersonLines(const std::string& user, const std::string& anon, const std::string& email,
                        TimeMs at) {
  auto line = [](nlohmann::json j) { return j.dump() + "\n"; };
  std::string out;
  out += line({{"type", "identify"},
               {"messageId", "id-" + user},
               {"userId", user},
               {"anonymousId", anon},
               {"timestamp", FormatIso8601(at)},
               {"traits", {{"email", email}, {"plan", "pro"}}}});
  const char* names[] = {"Signed Up", "Email Verified", "Order Completed"};
  for (int i = 0; i < 3; ++i) {
    out += line({{"type", "track"},
                 {"messageId", "t" + std::to_string(i) + "-" + user},
                 {i == 0 ? "anonymousId" : "userId", i == 0 ? anon : user},
                 {"event", names[i]},
                 {"timestamp", FormatIso8601(at + (i + 1) * 60000)},
                 {"properties", {{"note", "about " + email}}}});
  }
  return out;
}

class ErasureProofTest : public EngineFixture<> {
 protected:
  std::string WriteFile(const std::string& name, const std::string& text) {
    const auto path = NewFolder();
    std::filesystem::create_directories(path);
    const std::string file = (path / name).string();
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  RegulationReport Erase(std::vector<std::string> ids) {
    RegulationRequest request;
    request.ids = std::move(ids);
    auto r = engine_->Regulate(request);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RegulationReport{};
  }
};

TEST_F(ErasureProofTest, NoByteOfTheErasedPersonIsLeftInAnyFileOfTheDataFolder) {
  const TimeMs t0 = clock_.NowMs() - 48 * kErasureHour;
  std::string lines;
  for (int i = 0; i < 300; ++i) {
    lines += PersonLines("keep-" + std::to_string(i), "keep-anon-" + std::to_string(i),
                         "keep" + std::to_string(i) + "@example.test", t0 + i * 1000);
  }
  // High-entropy strings that share no 4 bytes with anything else stored (their first letters too:
  // the others' ids and emails start with "keep"): RocksDB compresses SST blocks with LZ4, which
  // writes the first occurrence of such a string in a block as raw bytes, so a byte scan sees it
  // (checked before the erase) and would see any copy left after it.
  const std::string user = "Ux4Rn8Kq2Vt6Zm1Jp", anon = "Ay3Lw7Hc5Nd9Bf2Qs",
                    email = "Qk9Tq4Wz7Rm2Xv8Np@h3Jd6Fs1Lc5By0Gw.zq";
  lines += PersonLines(user, anon, email, t0 + 5000);
  const std::string file = WriteFile("people.ndjson", lines);
  ASSERT_TRUE(engine_->Import(file, ImportFormat::kNdjson, {}).ok());
  // Put the person into SST files as well as the WAL and memtables.
  Reopen();
  for (const std::string& s : {user, anon, email}) {
    ASSERT_FALSE(FilesContaining(dir_, s).empty()) << s << " did not reach the folder";
  }
  const uint64_t before = engine_->EventCount();

  RegulationReport r = Erase({user});
  EXPECT_EQ(r.profiles_erased, 1u);
  EXPECT_EQ(r.identities_erased, 2u);
  EXPECT_EQ(r.events_erased, 4u);
  EXPECT_TRUE(r.purged);
  EXPECT_EQ(engine_->EventCount(), before - 4);
  for (const std::string& s : {user, anon, email}) {
    EXPECT_EQ(FilesContaining(dir_, s), std::vector<std::string>{}) << s << " while open";
  }
  engine_.reset();
  for (const std::string& s : {user, anon, email}) {
    EXPECT_EQ(FilesContaining(dir_, s), std::vector<std::string>{}) << s << " after close";
  }
  Open();
  EXPECT_FALSE(engine_->Profile(user).ok());
  auto kept = engine_->Profile("keep-7");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->event_count, 4u);
  EXPECT_EQ(kept->traits.at("email"), "\"keep7@example.test\"");
}

TEST_F(ErasureProofTest, ReimportingTheOriginalFileAddsNothingForTheErasedPerson) {
  const TimeMs t0 = clock_.NowMs() - 48 * kErasureHour;
  const std::string file =
      WriteFile("people.ndjson", PersonLines("reimport-me", "reimport-anon", "r@example.test", t0) +
                                     PersonLines("stays", "stays-anon", "s@example.test", t0));
  ASSERT_TRUE(engine_->Import(file, ImportFormat::kNdjson, {}).ok());
  ASSERT_EQ(engine_->EventCount(), 8u);
  Apply("kind: segment\nid: signed-up\nrule: { event: Signed Up, within: 30d }\n");
  ASSERT_EQ(engine_->Segment(SegmentId("signed-up"))->members.size(), 2u);
  const std::string funnel =
      "kind: funnel\nid: signup\nsteps:\n  - Signed Up\n  - Email Verified\n";
  Apply(funnel);
  FunnelQuery q;
  q.id = FunnelId("signup");
  ASSERT_EQ(engine_->Funnel(q)->steps[0].count, 2u);

  Erase({"anon:reimport-anon"});
  EXPECT_EQ(engine_->EventCount(), 4u);
  EXPECT_EQ(engine_->Funnel(q)->steps[0].count, 1u);
  auto again = engine_->Import(file, ImportFormat::kNdjson, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome.accepted, 0u);
  EXPECT_EQ(engine_->EventCount(), 4u);
  EXPECT_FALSE(engine_->Profile("reimport-me").ok());
  EXPECT_EQ(engine_->Funnel(q)->steps[0].count, 1u);
  EXPECT_EQ(engine_->Segment(SegmentId("signed-up"))->members.size(), 1u);
  EXPECT_EQ(engine_->ListDeadLetters(10)->total, 0u);  // refused events are kept nowhere
}

TEST_F(ErasureProofTest, GoalsFunnelsAndSegmentsNoLongerCountTheErasedPerson) {
  Apply(R"(kind: journey
id: cart
entry: { event: Cart Abandoned, reentry: once }
goal: { type: drive_purchase, met_when: { event: Order Completed } }
steps:
  - { id: wait, wait: { for: 1h } }
)");
  Live("cart");
  Apply("kind: funnel\nid: buy\nsteps:\n  - Cart Abandoned\n  - Order Completed\n");
  Apply("kind: segment\nid: buyers\nrule: { event: Order Completed, within: 30d }\n");
  for (const std::string user : {"goal-erased", "goal-kept"}) {
    Ingest({Track(user, "Cart Abandoned", clock_.NowMs()),
            Track(user, "Order Completed", clock_.NowMs() + 1000)});
  }
  clock_.Advance(2 * kErasureHour);
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  FunnelQuery q;
  q.id = FunnelId("buy");
  ASSERT_EQ(engine_->Funnel(q)->steps[1].count, 2u);
  ASSERT_EQ(engine_->GoalReport("cart", {})->attained, 2u);
  ASSERT_EQ(engine_->Segment(SegmentId("buyers"))->members.size(), 2u);

  // Someone inside the journey (waiting) when erased leaves it with reason `erased`.
  Ingest({Track("goal-waiting", "Cart Abandoned", clock_.NowMs())});
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  ASSERT_EQ(engine_->Journey("cart")->totals.in_progress, 1u);

  RegulationReport r = Erase({"goal-erased", "goal-waiting"});
  EXPECT_EQ(r.profiles_erased, 2u);
  EXPECT_EQ(r.forgotten.journey_exits, 1u);
  EXPECT_EQ(r.services.front(), "journeys");
  ASSERT_TRUE(engine_->RunJourneysUntilIdle().ok());
  auto journey = engine_->Journey("cart");
  ASSERT_TRUE(journey.ok());
  EXPECT_EQ(journey->totals.in_progress, 0u);
  EXPECT_EQ(journey->totals.erased, 2u);
  auto goal = engine_->GoalReport("cart", {});
  ASSERT_TRUE(goal.ok());
  EXPECT_EQ(goal->entered, 1u);
  EXPECT_EQ(goal->attained, 1u);
  EXPECT_EQ(engine_->Funnel(q)->steps[0].count, 1u);
  EXPECT_EQ(engine_->Funnel(q)->steps[1].count, 1u);
  auto buyers = engine_->Segment(SegmentId("buyers"));
  ASSERT_TRUE(buyers.ok());
  ASSERT_EQ(buyers->members.size(), 1u);
  // Nothing of the person is served any more.
  EXPECT_FALSE(engine_->ProfileEvents("goal-erased", 0).ok());
  EXPECT_TRUE(engine_->ProfileEvents("goal-kept", 0).ok());
}

// ---- kill -9 during a batch erase
// ----------------------------------------------------------------

constexpr int kCrashPeople = 1000;
constexpr const char* kChildDirEnv = "SIGNPOST_ERASE_CHILD_DIR";
constexpr const char* kChildPipeEnv = "SIGNPOST_ERASE_CHILD_PIPE";

std::string CrashUser(int i) { return "crash-erase-" + std::to_string(i); }
std::string KeptUser(int i) { return "crash-keep-" + std::to_string(i); }

// The child half of the test below: run in a process of its own (the parent execs this binary
// with kChildDirEnv set), it erases the 1,000 people and reports its progress on a pipe, until the
// parent kills it. Skipped when run on its own.
TEST(ErasureCrashChild, EraseThousandPeople) {
  const char* dir = std::getenv(kChildDirEnv);
  const char* pipe = std::getenv(kChildPipeEnv);
  if (dir == nullptr || pipe == nullptr) GTEST_SKIP() << "run by ErasureCrash only";
  const int fd = std::atoi(pipe);
  EngineOptions o;
  o.data_dir = dir;
  o.load_index = true;
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  RegulationRequest request;
  request.subject = SubjectType::kUserId;
  for (int i = 0; i < kCrashPeople; ++i) request.ids.push_back(CrashUser(i));
  auto r = (*engine)->Regulate(request, [fd](const RegulationProgress& p) {
    const std::string line = std::to_string(p.done) + "\n";
    EXPECT_EQ(write(fd, line.data(), line.size()), ssize_t(line.size()));
  });
  ASSERT_TRUE(r.ok());
}

class ErasureCrashTest : public EngineFixture<> {};

TEST_F(ErasureCrashTest, KilledHalfWayTheEraseCompletesAtTheNextOpenAndTouchesNobodyElse) {
  const TimeMs t0 = clock_.NowMs() - 48 * kErasureHour;
  std::vector<Event> events;
  for (int i = 0; i < kCrashPeople; ++i) {
    for (const std::string& user : {CrashUser(i), KeptUser(i)}) {
      Event id = Identify(user, t0 + i, {{"email", user + "@example.test"}});
      id.anonymous_id = "a-" + user;
      events.push_back(id);
      events.push_back(Track("anon:a-" + user, "Signed Up", t0 + i + 1));
      events.push_back(Track(user, "Order Completed", t0 + i + 2));
    }
  }
  Ingest(std::move(events));
  ASSERT_EQ(engine_->EventCount(), uint64_t(6 * kCrashPeople));
  engine_.reset();

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    setenv(kChildDirEnv, dir_.c_str(), 1);
    setenv(kChildPipeEnv, std::to_string(fds[1]).c_str(), 1);
    execl("/proc/self/exe", "engine_test", "--gtest_filter=ErasureCrashChild.*", nullptr);
    _exit(127);
  }
  close(fds[1]);
  // Kill it as soon as the first chunk of people is done: the next chunk is under way.
  char c = 0;
  std::string first;
  while (read(fds[0], &c, 1) == 1 && c != '\n') first.push_back(c);
  ASSERT_FALSE(first.empty()) << "the child ended before its first chunk";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";
  EXPECT_LT(std::stoi(first), kCrashPeople);

  Open();  // completes the interrupted regulation
  for (int i = 0; i < kCrashPeople; ++i) {
    ASSERT_FALSE(engine_->Profile(CrashUser(i)).ok()) << CrashUser(i);
    ASSERT_FALSE(engine_->Profile("anon:a-" + CrashUser(i)).ok()) << CrashUser(i);
  }
  EXPECT_EQ(engine_->EventCount(), uint64_t(3 * kCrashPeople));
  for (int i = 0; i < kCrashPeople; ++i) {
    auto kept = engine_->ProfileEvents(KeptUser(i), 0);
    ASSERT_TRUE(kept.ok()) << KeptUser(i);
    ASSERT_EQ(kept->events.size(), 3u) << KeptUser(i);
    EXPECT_EQ(kept->events[0].message_id, "m" + std::to_string(6 * i + 4));
  }
  EXPECT_EQ(engine_->Profile(KeptUser(0))->traits.at("email"), "\"crash-keep-0@example.test\"");
  auto record = engine_->Regulation(1);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state, "done");
  EXPECT_TRUE(record->purged);
  EXPECT_TRUE(FilesContaining(dir_, "crash-erase-").empty());
}

}  // namespace
}  // namespace signpost
