// signpost's public API: one Engine object owns the store, identity graph, analytics index and
// every definition. The HTTP server (src/api) and the command line (src/cli) are thin layers over
// it.
//
// Thread-safety: every method may be called from any thread concurrently unless it says otherwise;
// writes are serialized inside, reports run concurrently with each other.
// Reports take typed queries (queries.h) and every view and report is a typed value (reports.h);
// src/wire writes them as the JSON documents of docs/openapi.yaml, the same bytes for the HTTP API
// and the CLI's --json. The engine reads and writes no JSON view.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/alerts.h"
#include "signpost/clock.h"
#include "signpost/event.h"
#include "signpost/event_catalog.h"
#include "signpost/funnel_paths.h"
#include "signpost/insights.h"
#include "signpost/options.h"
#include "signpost/queries.h"
#include "signpost/rejection.h"
#include "signpost/reports.h"
#include "signpost/status.h"
#include "signpost/step_segments.h"

namespace signpost {

// The outcome of one ingest call (an HTTP request or one import).
struct IngestOutcome {
  size_t accepted = 0;    // new events, durable
  size_t duplicates = 0;  // events whose messageId was already stored (stored once, not again)
  std::vector<Rejection> rejections;  // refused items; each is also kept in the dead-letter store
  std::vector<std::string> refused_merges;  // identity links refused (two different userIds)
};

// Progress of a running import: bytes read of total (total 0 when unknown), events so far.
struct ImportProgress {
  uint64_t bytes_read = 0, bytes_total = 0;
  uint64_t accepted = 0, duplicates = 0, rejected = 0;
};

struct ImportSummary {
  IngestOutcome outcome;
  double seconds = 0;
};

enum class ImportFormat { kAuto, kNdjson, kCsv };

// The documents of a YAML stream of definitions: `text` split on lines that are exactly `---`
// (a trailing \r ignored); blank documents are left out. Views into `text`.
std::vector<std::string_view> DefinitionDocuments(std::string_view text);
// The `kind` and `id` of one document (JSON is YAML; `id` "" when it has none). kInvalidArgument
// naming the field and the fix when the document is not a mapping or has no known kind.
Result<std::pair<DefinitionKind, std::string>> DefinitionKindAndId(std::string_view doc);

// One check of the readiness probe (/readyz): its name ("store_open", "durable_writes",
// "journeys_caught_up"), whether it passes, and what it found, in words.
struct ReadinessCheck {
  std::string name;
  bool ok = false;
  std::string detail;
};

class Engine {
 public:
  // Opens (or creates) the data folder in options.data_dir, loads the analytics index.
  // Fails with a Status naming the folder and the fix (locked by another process, written by an
  // incompatible version, not a signpost folder).
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- keys -------------------------------------------------------------------------------
  // Creates a write key (kind "write") or an admin token (kind "admin") named `name`; returns it
  // with its token. kInvalidArgument for another kind.
  Result<ApiKeyInfo> CreateKey(std::string_view kind, std::string_view name);
  // Every key, revoked ones too, with their tokens.
  Result<std::vector<ApiKeyInfo>> ListKeys() const;
  Status RevokeKey(std::string_view token_or_prefix);
  // True when `token` is a live key of `kind`.
  bool CheckKey(std::string_view token, std::string_view kind) const;

  // ---- audit log (audit_service.h) ------------------------------------------------------------
  // Admin actions recorded by the engine (apply, journey state, keys, imports, dead-letter
  // re-imports, segment lists, privacy requests) with the actor of the calling thread
  // (signpost/acting_as.h): the entries `query` names, oldest first.
  Result<AuditTrail> Audit(const AuditQuery& query) const;
  // The actor an admin token acts as: "admin:<name> (<token prefix>)".
  std::string AdminActor(std::string_view token) const;

  // ---- ingest -----------------------------------------------------------------------------
  // Parses and stores the body of POST /v1/<endpoint>. `auth_key` is the Basic-auth username
  // ("" when absent); a `writeKey` in the body is used when auth_key is empty.
  // Errors: kUnauthenticated (no valid write key), kResourceExhausted (a limit, named),
  // kInvalidArgument (the body as a whole is unreadable). Item problems are in the outcome.
  // Durable on return.
  Result<IngestOutcome> IngestHttp(std::string_view endpoint, std::string_view body,
                                   std::string_view auth_key);
  // Imports an NDJSON or CSV file; `progress` (may be empty) is called from this thread after
  // each chunk. Accepted events are durable chunk by chunk.
  Result<ImportSummary> Import(const std::string& path, ImportFormat format,
                               const std::function<void(const ImportProgress&)>& progress);
  // As Import, for a file the server received (the admin API's uploads, `signpost --server ...
  // import`): `name`, the client's name for it, stands for `path` in the dead letters' source, the
  // format by extension (kAuto) and the audit log.
  Result<ImportSummary> ImportUpload(const std::string& path, const std::string& name,
                                     ImportFormat format);
  // Stores already-parsed events (tests, replay tooling). Durable on return.
  Result<IngestOutcome> IngestEvents(std::vector<Event> events);

  // ---- dead letters -----------------------------------------------------------------------
  // The first `limit` dead letters by id, and how many are stored.
  Result<DeadLetterList> ListDeadLetters(size_t limit) const;
  // Re-ingests the dead letters with these ids (all when empty) through the parser again; those
  // that now parse are stored and removed from the dead-letter store; the rest stay.
  Result<IngestOutcome> ReimportDeadLetters(const std::vector<uint64_t>& ids);

  // ---- profiles ---------------------------------------------------------------------------
  // `id`: "user:X", "anon:X", or a bare userId / anonymousId. kNotFound when no profile has it.
  // The profile with its latest ten events.
  Result<ProfileReport> Profile(std::string_view id) const;
  // The profile's latest `limit` events (0: all), by (timestamp, seq).
  Result<ProfileEventList> ProfileEvents(std::string_view id, size_t limit) const;
  // Total stored events.
  uint64_t EventCount() const;

  // ---- privacy: export (src/engine/export_person.cc) ------------------------------------------
  // The most events one export holds unless asked for more, and the most it may be asked for.
  static constexpr size_t kExportEventLimit = 100'000;
  static constexpr size_t kExportEventLimitMax = 1'000'000;
  // Everything signpost holds about the person `id` names (as Profile resolves it; the whole
  // profile: every linked identity): identities, traits and their history (consent included),
  // their events in full — all of them when there are at most `event_limit` (1 ..
  // kExportEventLimitMax), else the latest `event_limit`, said so in the report — their journey
  // states and exits, experiment arms, outbox messages, static lists (every version holding them)
  // and the segments they are in now, and the dead letters carrying their ids. kNotFound when no
  // profile has `id`; kInvalidArgument for an event_limit out of range.
  Result<PersonExport> ExportPerson(std::string_view id,
                                    size_t event_limit = kExportEventLimit) const;

  // ---- definitions and funnels ------------------------------------------------------------
  // Validates and stores a definition (YAML or JSON text with a `kind`); returns what was stored
  // (kind, id, version, note). Errors name the field and the fix. A text of several documents
  // (separated by lines that are exactly `---`) is ApplyDocuments: all or nothing.
  Result<AppliedDefinitions> Apply(std::string_view text, std::string_view note);
  // Applies several definitions as one: every document is read and checked first (a later one may
  // refer to an earlier one: a template to its channel, a journey to its segments, templates,
  // channels and funnels), and none is stored unless all pass; then each is stored in order.
  // Returns one result per document, in order. On error the
  // message starts "document N of M:" (several), or, when `failed` is not null, `failed` gets
  // N-1 and the caller names the document. Only a
  // conflict with stored definitions that the text cannot show (a segment cycle through stored
  // segments, a channel type that no longer fits a stored template) can stop the storing half
  // way; the message then says which documents were applied.
  Result<AppliedDefinitions> ApplyDocuments(const std::vector<std::string_view>& docs,
                                            std::string_view note, size_t* failed = nullptr);
  // What ApplyDocuments would do with `docs`, storing nothing: every document is read and checked
  // as a multi-document apply checks it (validated, its references resolved against the stored
  // definitions and the earlier documents), and each gets the action it would take and the
  // version it would have. Errors as ApplyDocuments. (An apply stores no new version of a
  // document that is the same definition as the latest version: see ApplyAction.)
  Result<AppliedDefinitions> PlanDocuments(const std::vector<std::string_view>& docs,
                                           size_t* failed = nullptr) const;
  // The latest version of every stored definition of `kind`, by id.
  Result<DefinitionList> ListDefinitions(DefinitionKind kind) const;
  // Version `version` (0 = the latest) of definition (kind, id), with its text. kNotFound naming
  // what is missing.
  Result<DefinitionText> GetDefinition(DefinitionKind kind, std::string_view id,
                                       uint64_t version = 0) const;
  // Deletes every version of a funnel, segment, template or channel definition. Refused
  // (kFailedPrecondition naming them) while a stored definition refers to it: a journey (any
  // version: people may still be inside an old one), a template (its channel), a segment (in its
  // rule). Journeys and the settings cannot be deleted (kInvalidArgument saying what to do
  // instead): a journey keeps its versions for the people inside and its reports. kNotFound for
  // an unknown id. With `dry_run`, only the checks: nothing is removed.
  Result<DeletedDefinition> DeleteDefinition(DefinitionKind kind, std::string_view id,
                                             bool dry_run);
  // Runs a stored funnel (query.id, at query.version; 0 the latest) or an ad-hoc one (query.steps
  // "A>B>C", else query.definition), with the query's overrides and report options.
  // kNotFound for an unknown funnel, version or segment; kInvalidArgument naming the field for
  // a funnel that cannot be run (no steps, a bad breakdown path or attribution step, an override
  // the definition refuses); kFailedPrecondition without the analytics index.
  Result<FunnelReport> Funnel(const FunnelQuery& query) const;
  // People of a funnel: query.completed=k or query.dropped_at=k (reached k, not k+1), with every
  // identity of each. Errors as Funnel, and kInvalidArgument unless exactly one k is in range.
  Result<signpost::FunnelPeople> FunnelPeople(const FunnelPeopleQuery& query) const;
  // Saves the people of FunnelPeople as a new version of static segment `segment`.
  Result<SavedFunnelPeople> SaveFunnelPeople(const FunnelPeopleQuery& query,
                                             const SegmentId& segment);
  // The last completed step of one profile in a stored funnel (last_step 0 when it never
  // entered). kNotFound for an unknown funnel or profile.
  Result<FunnelLastStep> LastCompletedStep(const FunnelId& funnel, std::string_view profile) const;
  // How many people are at query.step of stored funnel query.funnel (its latest version; reached
  // the step, not the next one, each at its best attempt, as of the clock's now) for longer than
  // query.stuck_for: the members now of the step segment rule `funnel: {id, reached: step,
  // not_reached: step + 1, stuck_for: {gt: stuck_for}}` (a funnel with `consent:` counts only the
  // people it counts). Errors as FunnelPeople: kNotFound for an unknown funnel, kInvalidArgument
  // for a step that is not a required step before the last.
  Result<signpost::FunnelStuck> FunnelStuck(const FunnelStuckQuery& query) const;
  // Step drivers (engine_insights.cc): among the people who reached query.step of the funnel,
  // which events, event property values, traits, segments and received messages go with
  // converting to the next required step (or the goal): each candidate's two-by-two counts, rates
  // and their Newcombe difference, odds ratio (Woolf interval), Fisher p-value and
  // Benjamini-Hochberg q-value, ranked. Errors as Funnel, and kInvalidArgument for a step that is
  // not a required step before the last one or a bad candidate path or bound.
  Result<StepDriversReport> FunnelDrivers(const StepDriversQuery& query) const;
  // Step importance (engine_insights.cc): the funnel's steps as milestones towards its goal (the
  // last required step): per milestone the goal rate with and without it (Newcombe interval) and
  // the log-odds of an L2-regularised logistic regression fitted on four people in five, with its
  // accuracy on the fifth held out; for everyone and for each of query.segments. Errors as Funnel,
  // and kInvalidArgument for a funnel with no goal after step 1 or a negative l2.
  Result<StepImportanceReport> FunnelImportance(const StepImportanceQuery& query) const;
  // Multi-path reporting (engine_paths.cc): among the people who reached query.step, the top
  // event sequences up to the next required step (or the end of the window), with the rest in
  // `other`; per any_of step, the people of each alternative and their conversion onward; per
  // optional step, completion with and without it (Newcombe interval, Fisher p-value). Errors as
  // Funnel, and kInvalidArgument for a step that is not a required step before the last one or a
  // max_length or top out of bounds.
  Result<FunnelPathsReport> FunnelPaths(const FunnelPathsQuery& query) const;
  // Next best action (engine_insights.cc; rules in src/engine/next_best_action_service.h): the
  // journeys and messages ranked by their measured holdout lift on converting from query.step to
  // the next required step, among the people who entered them at that step — for everyone and
  // each segment the funnel's next_best_action names (or query.segment's table alone) — from a
  // snapshot of the stored events kept for an hour of the engine clock (query.refresh: now).
  // kNotFound for an unknown funnel or segment, kInvalidArgument for a step with no next required
  // step.
  Result<NextBestActionReport> FunnelNextBestAction(const NextBestActionQuery& query) const;
  // One person's next best action in stored funnel `funnel` as of now: their step, their group
  // (the first of the funnel's segments they are in) and that group's recommendation, or
  // evidence "none". kNotFound for an unknown funnel or profile.
  Result<ProfileNextBestAction> NextBestActionFor(std::string_view profile,
                                                  const FunnelId& funnel) const;

  // ---- segments (segment_service.cc) -------------------------------------------------------
  // Every segment: static lists and rule segments (`kind: segment` definitions), by name.
  Result<SegmentList> ListSegments() const;
  // One segment with its members now (rule segments are evaluated at the clock's now).
  // kNotFound for an unknown segment.
  Result<SegmentView> Segment(const SegmentId& segment) const;
  // The segments one profile is a member of now, by name. kNotFound for an unknown profile.
  Result<ProfileSegments> SegmentsOf(std::string_view profile) const;
  // Stores a new version of static segment `name` from a list of ids, each `user:ID`, `anon:ID` or
  // a bare id (the identity it names now, tried as a userId then an anonymousId; a bare id no
  // profile has is kept as the userId `user:ID`). Surrounding white space is ignored; duplicates
  // are stored once. With `add`, the new version is the current list plus `ids`; else `ids` alone.
  // Ids no profile has yet are kept (they count once such a profile exists) and reported. Journeys
  // that exclude or suppress the segment act on the new list at once (as after SaveFunnelPeople).
  // Returns the new version with what was imported (SegmentImport: imported, members (identities
  // in the version), known, unknown_count, unknown (the first 100), note). kInvalidArgument naming
  // `ids[i]` for an empty id, a control character or a bare prefix (`user:`), and naming the
  // segment when it is a rule segment (`kind: segment`). Thread-safe.
  Result<SegmentImport> ImportSegment(const SegmentId& segment, const std::vector<std::string>& ids,
                                      std::string_view note, bool add = false);

  // ---- journeys (engine_journeys.cc) -------------------------------------------------------
  // Every journey: id, name, state, version, entered, in progress, its goal report (the list's
  // goal tile). src/wire writes it (ToJson(JourneyList)).
  Result<JourneyList> Journeys() const;
  // One journey: its definition, state, versions, and per-step analytics (inflow, in progress,
  // passed on, exits by reason). kNotFound for an unknown journey (or one that does not parse).
  Result<JourneyView> Journey(std::string_view id) const;
  // Moves a journey to `state`: "live" (starts it: from then on it enters people) or "stopped"
  // (everyone inside exits with reason journey_stopped). kFailedPrecondition for a move the
  // lifecycle does not allow (e.g. a stopped journey cannot go live again: apply a new version).
  // kInvalidArgument for a state other than live or stopped; kNotFound for an unknown journey.
  Result<JourneyStateChange> SetJourneyState(std::string_view id, std::string_view state);
  // Back-tests a journey on the stored events of [request.from, request.to]. Runs the
  // same runtime on a virtual clock, with no real sends; returns the step analytics, the messages
  // that would have gone out, and the goal report.
  // kInvalidArgument when to <= from; kNotFound for an unknown journey.
  Result<ReplayReport> Replay(const ReplayRequest& request) const;
  // Back-tests several journeys together (or every defined one) on the stored events of
  // [from, to]: one runtime runs them all, so the frequency cap counts the sends of every journey
  // of the programme, a trait one journey's `update` sets is what the others read (and can move a
  // profile into a suppression or entry segment), and the goals are attributed with the same-goal
  // rule between them (docs/CONTRACT.md §4). What those journeys recorded live (their system
  // events and updates) is left out: the replay makes its own. Nothing is written or sent.
  // kInvalidArgument when to <= from or no journey is named; kNotFound for an unknown journey.
  Result<ProgrammeReplayReport> ReplayProgramme(const ProgrammeReplayRequest& request) const;
  // A what-if: versions a and b of one journey each replayed (ReplayProgramme, with the
  // `with` journeys beside it) over the same history; both reports and the difference in goal rate
  // with its interval. kNotFound for an unknown journey or version.
  Result<ReplayComparison> CompareReplays(const ReplayComparisonRequest& request) const;
  // Processes every committed event not yet seen by the journey runtime and fires every timer due
  // at the clock's now; returns when nothing is left to do. The live engine does this on its own
  // thread; tests on a ManualClock call it after advancing the clock.
  Status RunJourneysUntilIdle();

  // ---- delivery and tracking (engine_delivery.cc) ------------------------------------------
  // Messages waiting in the outbox (and recent outcomes), most recently updated first; at most
  // `limit` (0 = all).
  Result<OutboxView> Outbox(size_t limit) const;
  // Attempts every outbox message due at the clock's now once; returns when done (tests).
  Status DeliverDue();
  // An open-pixel hit: verifies the signed token and records `Message Opened`.
  Status TrackOpen(std::string_view token);
  // A click on a rewritten link: verifies the token, records `Message Clicked`, returns the URL
  // to redirect to.
  Result<std::string> TrackClick(std::string_view token);
  // One-click unsubscribe (RFC 8058; src/delivery/README.md "Unsubscribe"): verifies the signed
  // token of a message's List-Unsubscribe URL and withdraws the consent it names (`consent.email`
  // etc. set to false by an identify of the message's identity, durable on return), with an audit
  // entry. Returns true when this call changed the profile, false when the consent was withdrawn
  // already (idempotent). kInvalidArgument for a token that is not a valid unsubscribe token
  // (nothing recorded).
  Result<bool> Unsubscribe(std::string_view token);
  // Verifies an unsubscribe token and records nothing (the page a GET of the URL shows): the
  // consent it would withdraw ("email", "sms" or "push"). kInvalidArgument as Unsubscribe.
  Result<std::string> CheckUnsubscribe(std::string_view token);

  // ---- goals (engine_goals.cc) ---------------------------------------------------------------
  // The goal report of a journey: entered, attained, rate, target, target_progress, holdout and
  // lift, over time, by variant, by channel, by segment, time to goal, over the entries in
  // [query.from, query.to). kNotFound for an unknown journey, one without a goal, or an unknown
  // segment of query.segments.
  Result<signpost::GoalReport> GoalReport(std::string_view journey,
                                          const GoalReportQuery& query) const;
  // Who attained the goal: profile, when, through which entry. Errors as GoalReport.
  Result<signpost::GoalPeople> GoalPeople(std::string_view journey,
                                          const GoalReportQuery& query) const;

  // ---- experiments (typed reports; the shapes below are the JSON src/wire writes) -----------
  // Every split step of every journey: {"experiments": [{journey, step, metric, state (running |
  // winner | no_winner | ended), winner, assign_to, default, started_at, decided_at, variants:
  // [{id, weight, entered, converted, rate, interval, prob_best, lift, difference_interval,
  // relative_lift_interval, p_value, significant}], warnings}]}. Entered: profiles with an
  // `Experiment Assigned` for the step (holdout excluded); converted by the split's metric (goal
  // credit through an assigned entry, or an open / click of a message sent after the assignment).
  // The decision is fixed at the first daily look since the first assignment that ended the test.
  // Cost: one pass over the stored events of every entered profile of journeys with splits.
  // Also {"channels": [ChannelReport of every `channel: auto` step]}.
  Result<ExperimentList> Experiments() const;
  // One split step's report, as one item of Experiments(). kNotFound naming the journey or step.
  Result<SplitReport> Experiment(std::string_view journey, std::string_view step) const;
  // The channel report of a `channel: auto` message step, from the stored events of the journey's
  // entered profiles: {journey, step, default, control_share, optimize_by_segment, channels:
  // [{channel, template, default, sent, converted, rate, interval}], control and optimized: {sent,
  // converted, rate, interval}, lift (optimized over control, as in HoldoutLift), segments: [the
  // same per segment of optimize_by_segment], warnings}. A send is a `Message Sent` with auto:
  // true; it converted when the profile's `Goal Attained` of the journey is at or after it.
  // Experiments() lists every auto step's report under "channels". kNotFound naming the journey or
  // step (a step that is not an auto message).
  Result<ChannelStepReport> ChannelReport(std::string_view journey, std::string_view step) const;
  // Treated against holdout on the goal and, with query.funnel = a stored funnel id, on each of
  // its steps reached in order after the profile's first entry: {journey, funnel, level, treated,
  // holdout: {entered, attained}, goal: lift, steps: [{step, name, treated_reached,
  // holdout_reached, ...lift}], warnings}; a lift is {treated_rate, holdout_rate, absolute,
  // absolute_interval, relative (null when the holdout rate is 0), relative_interval, significant}.
  // kNotFound for an unknown journey or funnel; kInvalidArgument for a funnel with status steps.
  Result<HoldoutLiftReport> HoldoutLift(std::string_view journey,
                                        const HoldoutLiftQuery& query) const;
  // Money of the treated profiles. Cost per message of a channel: query.costs, else the
  // `cost_per_message` of its `kind: channel` definition (a channel the journey sent on without
  // either: kInvalidArgument naming `cost.<channel>` and `cost_per_message`). query.revenue = the
  // goal event's property (default `revenue`, i.e. properties.revenue), query.funnel = goal steps.
  // Returns {journey, funnel, costs, cost_sources: {channel: "query" | "channel"}, messages:
  // [{channel, messages, cost_per_message, cost_source, cost}], total_cost, treated, goal:
  // {progressed, cost_per_progressed}, steps: [{step, name, progressed, cost_per_progressed}],
  // revenue: {property, total, profiles, revenue_per_profile, lifetime_total, ltv, by_group:
  // [{group, profiles, revenue, revenue_per_profile, lifetime_revenue, ltv}]}, warnings}. A
  // profile's revenue is the property of the goal hit it was credited with (`Goal Attained`; 0
  // without one); its lifetime revenue is the property summed over all its goal-trigger events
  // from its first entry to now; ltv = lifetime revenue per profile. Groups are the last funnel
  // step completed ("0. none", "2. Paid"), or "attained" / "not attained" without a funnel.
  Result<MoneyReport> JourneyMoney(std::string_view journey, const MoneyQuery& query) const;

  // ---- privacy (engine_privacy.cc) --------------------------------------------------------
  // Carries out a privacy regulation (docs/CONTRACT.md, privacy): DELETE erases each person the
  // ids name (the profile and every linked identity) from every service, the events and the
  // identity layer, then purges the store so the bytes leave every file; SUPPRESS refuses their
  // later events (counted, stored nowhere) until UNSUPPRESS; SUPPRESS_WITH_DELETE does both.
  // Recorded durably before any work: killed half way, it completes at the next Open. An id no
  // profile has is reported in `not_found` (and still tombstoned or suppressed). `progress` (may be
  // empty) is called on this thread after each chunk of ids. kInvalidArgument naming `ids` or
  // `ids[i]`; kIoError when the store fails. Regulations run one at a time.
  Result<RegulationReport> Regulate(
      const RegulationRequest& request,
      const std::function<void(const RegulationProgress&)>& progress = {});
  // The record of regulation `id`: its counts and state, never the ids. kNotFound when unknown.
  Result<RegulationReport> Regulation(uint64_t id) const;
  // ---- privacy: retention ------------------------------------------------------------------
  // Removes every event older than its retention period (`kind: settings`, section retention;
  // src/engine/retention_service.h) now, then purges the store so their bytes leave the data
  // folder before this returns. The report: events removed, the oldest event kept, the periods.
  // Ok with nothing removed when no retention is set. kIoError / kCorruption from the store.
  Result<RetentionReport> EnforceRetention();
  // A retention sweep when one is due on the engine clock (hourly), and a purge when due (daily);
  // what the `serve` thread runs (EngineOptions::retention_thread). Tests on a ManualClock.
  Status RunRetentionDue();

  // ---- alerts (engine_alerts.cc; src/engine/alert_service.h) --------------------------------
  // Incidents matching `query`, newest first, with the open and acknowledged totals.
  AlertList Alerts(const AlertQuery& query) const;
  // One incident; kNotFound for an unknown id.
  Result<AlertIncident> Alert(uint64_t id) const;
  // open → acknowledged (by the calling thread's actor); resolved by hand; muted until `until`
  // (no notifications before then; a time not after now unmutes). kNotFound for an unknown id,
  // kFailedPrecondition to acknowledge or mute a resolved incident. Recorded in the audit log.
  Result<AlertIncident> AcknowledgeAlert(uint64_t id);
  Result<AlertIncident> ResolveAlert(uint64_t id);
  Result<AlertIncident> MuteAlert(uint64_t id, TimeMs until);
  // The detectors' interface for a detector outside the engine's own (see alert_service.h):
  // opens the incident of finding.key, or updates the open one; resolves it. At the clock's now.
  Result<uint64_t> RaiseAlert(const AlertFinding& finding);
  Status ClearAlert(std::string_view key);
  // Runs the detectors (step health, journey sends and pacing) now, then sends pending
  // notifications. RunAlertsDue does so when an hour of engine time passed since the last
  // evaluation (what the `serve` thread runs: EngineOptions::alerts_thread).
  Status EvaluateAlerts();
  Status RunAlertsDue();

  // ---- event catalog and schema drift (engine_catalog.cc; src/engine/catalog_service.h) --------
  // Every event name and type committed, with its property paths and JSON types, volumes, sources
  // and masked examples, as of the clock's now; filtered by `query`. The first call in a process
  // reads the stored events once (later ones read memory). kIoError from the store.
  Result<EventCatalogReport> EventCatalog(const CatalogQuery& query) const;
  // The schema drift findings as of the clock's now (analytics/schema_drift.h has the rules), each
  // naming the stored definitions that read what drifted. kIoError from the store.
  Result<DriftReport> SchemaDrift() const;
  // Whether the catalog counts commits (default on); off only to measure its cost (bench).
  void SetEventCatalogObserving(bool on);

  // ---- operations -------------------------------------------------------------------------
  // Prometheus text exposition of the engine's counters and gauges.
  std::string MetricsText() const;
  // Readiness (/readyz): ok when the store is open and the last durable write succeeded;
  // otherwise the last write's error (kIoError "... disk full ..."), until a write succeeds again.
  Status Ready() const;
  // The same, check by check (each is evaluated even when one before it fails, except that a
  // closed store ends the list): the store is open, the last durable write succeeded, the journey
  // runtime is caught up (no partition's oldest input waits longer than the bound).
  std::vector<ReadinessCheck> Readiness() const;
  const Clock& clock() const;

  struct Impl;  // internal to src/engine

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signpost
