// JSON at the edge: the one place where the typed queries of include/signpost/queries.h are read
// from JSON (HTTP query parameters as strings, JSON bodies, the command line's flags) and the
// typed reports of include/signpost/reports.h are written as the JSON documents the HTTP API
// returns (docs/openapi.yaml) and `--json` prints. The engine never sees JSON queries.
//
// Parse*: kInvalidArgument naming the field and the accepted form on a bad value; a field that is
// absent keeps its default. Numbers may come as JSON numbers or as strings (query parameters).
//
// Thread-safety: pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "signpost/alerts.h"
#include "signpost/queries.h"
#include "signpost/reports.h"
#include "signpost/status.h"

namespace signpost::wire {

// ---- funnels (funnel_json.cc) -------------------------------------------------------------------
// The query of a stored funnel `id` (then `version` is read) or, with `id` empty, of an ad-hoc one
// (`steps`: "A>B>C", else `definition`: an object). Fields: window ("7d"), order, entry, from, to
// (ISO 8601 or epoch ms), segment, breakdown, breakdown_attribution ("first" | "last" | "step:N"),
// top, completion_windows ("7d,14d,30d" or a list), trend ("day" | "week"); completed and
// dropped_at are read (and checked) too, for the people query.
Result<FunnelPeopleQuery> ParseFunnelPeopleQuery(std::string_view id, const nlohmann::json& query);
Result<FunnelQuery> ParseFunnelQuery(std::string_view id, const nlohmann::json& query);

// The report with {funnel (id, or "ad-hoc"), version, name} beside the report's fields.
nlohmann::json ToJson(const FunnelReport& report);
// {funnel, version, completed, dropped_at, count, people: [person + identities]}.
nlohmann::json ToJson(const FunnelPeople& people);
// {profile, last_step, last_step_name, (last_step_at, last_step_at_ms, stuck_ms when reached)}.
nlohmann::json ToJson(const FunnelPerson& person);
// The person's fields and {funnel, version, identity}.
nlohmann::json ToJson(const FunnelLastStep& last);
// {segment, version, members, note}.
nlohmann::json ToJson(const SavedFunnelPeople& saved);

// ---- goals (goal_json.cc) -----------------------------------------------------------------------
// Fields: from, to (ISO 8601), trend (day | week), segment ("a,b": by_segment rows).
Result<GoalReportQuery> ParseGoalReportQuery(const nlohmann::json& query);
nlohmann::json ToJson(const GoalReport& report);
// {journey, people: [{profile, attained_at, entry, entered_at, hit_event, channel, variant,
// holdout}], count}.
nlohmann::json ToJson(const GoalPeople& people);
// {type, met_when: {event, where} | "opened_any_message" | "clicked_any_message", target}.
nlohmann::json ToJson(const GoalView& goal);

// ---- journeys: lift, money, replay (journey_json.cc) --------------------------------------------
// Field: funnel.
Result<HoldoutLiftQuery> ParseHoldoutLiftQuery(const nlohmann::json& query);
// Fields: funnel, revenue, and cost.<channel> (an amount >= 0) for each channel.
Result<MoneyQuery> ParseMoneyQuery(const nlohmann::json& query);
// Fields: journey, from, to (ISO 8601 strings; to after from).
Result<ReplayRequest> ParseReplayRequest(const nlohmann::json& request);

// ---- programme replays and what-ifs (replay_json.cc) --------------------------------------------
// Fields: journeys (a list of ids) and/or all (true), from, to.
Result<ProgrammeReplayRequest> ParseProgrammeReplayRequest(const nlohmann::json& request);
// Fields: journey, versions ([a, b]), with (a list of ids), with_all, from, to.
Result<ReplayComparisonRequest> ParseReplayComparisonRequest(const nlohmann::json& request);
// {from, to, events_read, events_used, would_send, journeys: [replay report, ...]}.
nlohmann::json ToJson(const ProgrammeReplayReport& replay);
// {journey, from, to, a: replay report, b: replay report, rate_difference (b - a; null without a
// goal), difference_interval: [low, high] | null}.
nlohmann::json ToJson(const ReplayComparison& comparison);

// ---- experiments, lift, money (experiment_json.cc) ---------------------------------------------
// The documents include/signpost/engine.h describes for Engine::Experiments, Experiment,
// ChannelReport, HoldoutLift and JourneyMoney.
nlohmann::json ToJson(const ExperimentList& list);
nlohmann::json ToJson(const SplitReport& report);
nlohmann::json ToJson(const ChannelStepReport& report);
nlohmann::json ToJson(const HoldoutLiftReport& report);
nlohmann::json ToJson(const MoneyReport& report);

// ---- journeys views: list, one journey, state, replay, outbox (journey_views_json.cc) -----------
// {journeys: [{id, version, name, state, entered, in_progress, (live_version, completed), goal:
// null | {type, entered, attained, rate, target, target_progress, lift}}]}.
nlohmann::json ToJson(const JourneyList& list);
// {id, name, state, version, live_version, versions, entry, exclude, suppress, listening_window
// (seconds), holdout_percent, steps, totals, goal, (start, end, live_since)}.
nlohmann::json ToJson(const JourneyView& journey);
// The step graph: [{id, type, (line), inflow, in_progress, passed_on, exits, next: [{to, label}],
// (channel, template, (templates, default))}].
nlohmann::json ToJson(const std::vector<JourneyStepView>& steps);
// {id, state, version, since}.
nlohmann::json ToJson(const JourneyStateChange& change);
// {journey, version, from, to, events_read, events_used, steps, totals, messages: {would_send,
// by_channel, by_step, sample}, (goal)}.
nlohmann::json ToJson(const ReplayReport& replay);
// {key, journey, version, entry, step, channel, template, identity, to, state, attempts,
// enqueued_at, updated_at, last_error, (next_attempt_at when pending), (permanent when failed)}.
nlohmann::json ToJson(const OutboxMessageView& message);
// {messages: [...]}.
nlohmann::json ToJson(const OutboxView& outbox);

// ---- segments (segment_json.cc) -----------------------------------------------------------------
// {segments: [{name, type: "static", version, members, note, at} | {name, type: "rule", title,
// version, rule, triggers: {events, traits, time, static}, note, at}]}.
nlohmann::json ToJson(const SegmentList& list);
// Static: {name, type, version, note, at, count, identities}; rule: {name, type, title, version,
// note, rule, evaluated_at, count, members: [{profile, identities}], identities}.
nlohmann::json ToJson(const SegmentView& segment);
// {profile, identity, evaluated_at, segments: [names]}.
nlohmann::json ToJson(const ProfileSegments& of);
// {segment, version, mode (replace | add), imported, members, known, unknown_count, unknown, note}.
nlohmann::json ToJson(const SegmentImport& import);
// {"event", "where": [...], "count": [...], "within": "7d"} / {"trait": [...]} / {"segment"} /
// {"all" | "any": [...]} / {"not": {...}}.
nlohmann::json ToJson(const SegmentRuleView& rule);
// ---- definitions, profiles, keys, dead letters (catalog_json.cc) -------------------------------
// {kind, id, version, note, action, (name: segments), (state: journeys)}.
nlohmann::json ToJson(const AppliedDefinition& applied);
// One document: its AppliedDefinition; several: {applied: [one per document]}.
nlohmann::json ToJson(const AppliedDefinitions& applied);  // a dry run adds "dry_run": true
// "created" | "configured" | "unchanged".
std::string_view ApplyActionName(ApplyAction action);
// One stored version with its text: {kind, id, version, note, at, body}.
nlohmann::json ToJson(const DefinitionText& definition);
// {kind, id, versions, deleted} (a dry run: deleted false, dry_run true).
nlohmann::json ToJson(const DeletedDefinition& deleted);
// {kind, id, version, note, at (ISO 8601), (name, steps: funnels)}.
nlohmann::json ToJson(const StoredDefinition& definition);
// {definitions: [StoredDefinition]}.
nlohmann::json ToJson(const DefinitionList& list);
// An event with Segment's field names: type, messageId, userId, anonymousId, event (track) or name,
// previousId, groupId, timestamp, receivedAt, sentAt, originalTimestamp, properties, traits,
// context (the user's own objects), and signpost's `seq`. Empty fields are left out.
nlohmann::json ToJson(const Event& event);
// {id, identities, traits, trait_history, consent: {email, sms, push (null: never set)},
// event_count, (first_seen, last_seen), refused_merges, last_events}.
nlohmann::json ToJson(const ProfileReport& profile);
// {profile, identity, events}.
nlohmann::json ToJson(const ProfileEventList& list);
// {token, kind, name, created_at, revoked}: the whole token (a created key, the command line).
nlohmann::json ToJson(const ApiKeyInfo& key);
// {keys: [{prefix, kind, name, created_at, revoked}]}: the token cut to a 12-character prefix
// (enough to revoke it by), never whole (GET /api/keys).
nlohmann::json KeyListJson(const std::vector<ApiKeyInfo>& keys);
// {id, source, at, location, field, reason, raw}.
nlohmann::json ToJson(const DeadLetterInfo& letter);
// {dead_letters: [DeadLetterInfo], total}.
nlohmann::json ToJson(const DeadLetterList& list);

// ---- privacy (privacy_json.cc) ------------------------------------------------------------------
// A regulation as Segment's regulation API sends it: {regulationType: "DELETE" | "SUPPRESS" |
// "SUPPRESS_WITH_DELETE" | "UNSUPPRESS", subject: {type: "userId" | "anonymousId" | "identity",
// ids: [1 to kMaxRegulationIds non-empty strings of at most kMaxRegulationIdBytes bytes]}}.
// kInvalidArgument naming the field (`regulationType`, `subject.type`, `subject.ids[3]`).
Result<RegulationRequest> ParseRegulationRequest(const nlohmann::json& body);
// {regulationId, regulationType, state, createdAt, finishedAt (null while running), subjects,
// found, notFound (the request's ids no profile had; only in the answer to the request),
// profilesErased, identitiesErased, eventsErased, identitiesSuppressed, identitiesUnsuppressed,
// refusedEvents, services, forgotten: {journeyExits, journeyStates, queuedInputs, outboxCancelled,
// outboxDeleted, staticLists, staticVersions, deadLetters, banditsReloaded}, purged}.
nlohmann::json ToJson(const RegulationReport& report);

// ---- audit log (audit_json.cc) -----------------------------------------------------------------
// Query parameters after, limit (1..1000, default 100) and action.
Result<AuditQuery> ParseAuditQuery(const nlohmann::json& query);
// {entries: [{seq, at (epoch ms), actor, action, target, detail (an object, or null), outcome}],
// last_seq}.
nlohmann::json ToJson(const AuditTrail& trail);

// ---- privacy: export (export_json.cc) -----------------------------------------------------------
// {requested, exported_at, profile (ProfileReport without last_events), events: [Event],
// event_count, event_limit, events_truncated, (events_note), journeys: [{journey, entries,
// last_entered, last_exited, active: null | {entry, version, step, entered_at, step_since, due,
// holdout, entry_event, entry_properties, variant, last_message_key, last_opened, last_clicked},
// exits: [{entry, reason, step, at}]}], recent_sends, experiments: [{journey, entry, step,
// variant, at}], messages: [OutboxMessageView], static_lists: [{name, versions, latest,
// identities}], segments: {evaluated_at, names}, dead_letters: [DeadLetterInfo]}. Times ISO 8601.
nlohmann::json ToJson(const PersonExport& person);
// {journey_exits, journey_states, queued_inputs, outbox_cancelled, outbox_deleted, static_lists,
// static_versions, dead_letters, bandits_reloaded}: counts only.
nlohmann::json ToJson(const PersonForgotten& forgotten);

// ---- any report ---------------------------------------------------------------------------------
// One of the reports above as JSON, or its error (the routes' and the CLI's one-liner).
template <class Report>
Result<nlohmann::json> ToJson(const Result<Report>& report) {
  if (!report.ok()) return report.status();
  return ToJson(*report);
}

// ---- privacy: retention (retention_json.cc) -------------------------------------------------
// {events_before: {ms, iso}, note}: added to a funnel or goal report (as `retention`) whose window
// starts before the retention horizon; absent otherwise.
nlohmann::json ToJson(const RetentionNote& note);
// {at, events, by_event: {name: duration}, events_removed, oldest_kept ({ms, iso} or null),
// purged}; durations as "400d".
nlohmann::json ToJson(const RetentionReport& report);

// ---- alerts (alert_json.cc) -----------------------------------------------------------------
// {id, key, kind, severity, state, title, detail, affected, observed, expected, window_hours,
// opened_at, last_seen_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
// muted_until, muted (at `now`), raised, notifications: [{channel, transition, at, ok, attempts,
// error}]}; times as {ms, iso} or null.
nlohmann::json ToJson(const AlertIncident& incident, TimeMs now);
// {incidents: [...], open, acknowledged, now, last_evaluated_at}.
nlohmann::json ToJson(const AlertList& list);
// Query fields: state (open | acknowledged | resolved | all), kind, subject, limit (1..1000).
Result<AlertQuery> ParseAlertQuery(const nlohmann::json& query);
// A mute body: {"until": time} or {"for": "4h"} (from `now`).
Result<TimeMs> ParseMuteUntil(const nlohmann::json& body, TimeMs now);

}  // namespace signpost::wire
