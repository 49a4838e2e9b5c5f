// Fuzzes the bodies of POST /api/replay (one journey, a programme of journeys or all of them, a
// what-if of two versions) and the query of GET /api/funnels/{id}/stuck as src/wire reads them:
// any bytes give a clear error or a typed request within its bounds, never a crash.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_check.h"
#include "signpost/clock.h"
#include "wire/step_json.h"
#include "wire/wire.h"

namespace {

// An error must say what is wrong.
template <class T>
bool Failed(const signpost::Result<T>& r) {
  if (r.ok()) return false;
  signpost::fuzz::Check(!r.status().message().empty(), "an error without a message");
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace signpost;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;

  if (auto one = wire::ParseReplayRequest(body); !Failed(one)) {
    fuzz::Check(one->from < one->to, "a replay window that does not run forward");
  }
  if (auto programme = wire::ParseProgrammeReplayRequest(body); !Failed(programme)) {
    fuzz::Check(programme->from < programme->to, "a programme window that does not run forward");
    fuzz::Check(programme->all || !programme->journeys.empty(), "a programme of no journey");
    fuzz::Check(programme->journeys.size() <= 1000, "more than 1,000 journeys accepted");
    for (const auto& id : programme->journeys) fuzz::Check(!id.empty(), "an empty journey id");
  }
  if (auto whatif = wire::ParseReplayComparisonRequest(body); !Failed(whatif)) {
    fuzz::Check(whatif->from < whatif->to, "a what-if window that does not run forward");
    fuzz::Check(whatif->version_a > 0 && whatif->version_b > 0, "a version 0 accepted");
    fuzz::Check(whatif->with.size() <= 1000, "more than 1,000 journeys beside it accepted");
  }
  if (auto stuck = wire::ParseFunnelStuckQuery("f", body); !Failed(stuck)) {
    fuzz::Check(stuck->funnel.value() == "f", "the query keeps the funnel it was read for");
    fuzz::Check(stuck->step >= 1, "a step below 1 accepted");
    fuzz::Check(stuck->stuck_for > 0 && stuck->stuck_for <= 365 * kDayMs,
                "a stuck time outside (0, 365d] accepted");
    // What the route answers with is written without throwing.
    FunnelStuck report;
    report.funnel = stuck->funnel;
    report.step = stuck->step;
    report.next_step = stuck->step + 1;
    report.stuck_for = stuck->stuck_for;
    fuzz::Check(wire::ToJson(report).contains("rule"), "the count without its rule");
  }
  return 0;
}
