#include "ingest/http_body.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/message_id.h"
#include "ingest/test_support.h"

namespace signpost::ingest {
namespace {

using testing::At;
using testing::Describe;
using ::testing::HasSubstr;
using json = nlohmann::json;

const TimeMs kReceived = At("2026-11-24T10:00:02Z");

ParsedEvents Parse(std::string_view endpoint, const std::string& body, const Limits& limits = {}) {
  Result<ParsedEvents> r = ParseHttpBody(endpoint, body, kReceived, limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedEvents{};
}

Event One(std::string_view endpoint, const json& body) {
  ParsedEvents parsed = Parse(endpoint, body.dump());
  EXPECT_EQ(parsed.events.size(), 1u) << Describe(parsed);
  return parsed.events.empty() ? Event{} : parsed.events[0];
}

Rejection Refused(std::string_view endpoint, const json& body) {
  ParsedEvents parsed = Parse(endpoint, body.dump());
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_EQ(parsed.rejections.size(), 1u);
  return parsed.rejections.empty() ? Rejection{} : parsed.rejections[0];
}

Status WholeRequestError(std::string_view endpoint, std::string_view body,
                         const Limits& limits = {}) {
  Result<ParsedEvents> r = ParseHttpBody(endpoint, body, kReceived, limits);
  EXPECT_FALSE(r.ok()) << body.substr(0, 80);
  return r.status();
}

TEST(ParseHttpBody, TrackEventIsNormalized) {
  Event e = One("track", {{"userId", "u1"},
                          {"event", "Order Completed"},
                          {"messageId", "m-1"},
                          {"timestamp", "2026-11-24T09:00:00.5Z"},
                          {"properties", {{"revenue", 42.5}, {"items", {1, 2}}}},
                          {"context", {{"ip", "1.2.3.4"}}},
                          {"somethingUnknown", {{"is", "ignored"}}}});
  EXPECT_EQ(e.type, EventType::kTrack);
  EXPECT_EQ(e.user_id, "u1");
  EXPECT_EQ(e.anonymous_id, "");
  EXPECT_EQ(e.event, "Order Completed");
  EXPECT_EQ(e.message_id, "m-1");
  EXPECT_EQ(e.timestamp, At("2026-11-24T09:00:00.500Z"));
  EXPECT_EQ(e.original_timestamp, At("2026-11-24T09:00:00.500Z"));
  EXPECT_EQ(e.sent_at, std::nullopt);
  EXPECT_EQ(e.received_at, kReceived);
  EXPECT_EQ(e.properties, R"({"items":[1,2],"revenue":42.5})");
  EXPECT_EQ(e.context, R"({"ip":"1.2.3.4"})");
  EXPECT_EQ(e.traits, "{}");
  EXPECT_EQ(e.integrations, "{}");
}

TEST(ParseHttpBody, ObjectsAreStoredMinifiedAsSent) {
  ParsedEvents parsed = Parse("track", R"({ "userId" : "u", "event" : "E",
      "properties" : { "b" : 1 , "a" : { "nested" : [ true , null ] } , "s" : "\u00e9\n" } })");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].properties, R"({"b":1,"a":{"nested":[true,null]},"s":"é\n"})");
}

TEST(ParseHttpBody, EachSingleEndpointImpliesItsType) {
  EXPECT_EQ(One("identify", {{"userId", "u"}, {"traits", {{"plan", "pro"}}}}).traits,
            R"({"plan":"pro"})");
  EXPECT_EQ(One("identify", {{"userId", "u"}, {"type", "track"}}).type, EventType::kIdentify);
  Event page = One("page", {{"anonymousId", "a"}, {"name", "Pricing"}});
  EXPECT_EQ(page.type, EventType::kPage);
  EXPECT_EQ(page.event, "Pricing");
  EXPECT_EQ(One("page", {{"anonymousId", "a"}}).event, "");
  Event screen = One("screen", {{"userId", "u"}, {"name", "Home"}});
  EXPECT_EQ(screen.type, EventType::kScreen);
  EXPECT_EQ(screen.event, "Home");
  Event alias = One("alias", {{"userId", "u"}, {"previousId", "anon-1"}});
  EXPECT_EQ(alias.type, EventType::kAlias);
  EXPECT_EQ(alias.previous_id, "anon-1");
  Event group = One("group", {{"userId", "u"}, {"groupId", 77}, {"traits", {{"name", "Acme"}}}});
  EXPECT_EQ(group.type, EventType::kGroup);
  EXPECT_EQ(group.group_id, "77");
}

TEST(ParseHttpBody, NumericIdsBecomeDecimalText) {
  Event e = One("track", {{"userId", 42}, {"anonymousId", 1.5}, {"event", "E"}});
  EXPECT_EQ(e.user_id, "42");
  EXPECT_EQ(e.anonymous_id, "1.5");
  EXPECT_EQ(One("identify", {{"userId", 18446744073709551615ULL}}).user_id, "18446744073709551615");
  EXPECT_EQ(One("identify", {{"userId", -7}}).user_id, "-7");
  EXPECT_EQ(One("identify", {{"userId", "u"}, {"messageId", 5}}).message_id, "5");
}

TEST(ParseHttpBody, RequiredFieldsPerType) {
  Rejection r = Refused("track", {{"event", "E"}});
  EXPECT_EQ(r.location, "body");
  EXPECT_EQ(r.field, "userId");
  EXPECT_THAT(r.reason, HasSubstr("userId or anonymousId"));
  EXPECT_EQ(Refused("track", {{"userId", ""}, {"anonymousId", ""}, {"event", "E"}}).field,
            "userId");
  EXPECT_EQ(One("track", {{"userId", ""}, {"anonymousId", "a"}, {"event", "E"}}).anonymous_id, "a");
  EXPECT_EQ(Refused("track", {{"userId", "u"}}).field, "event");
  EXPECT_EQ(Refused("track", {{"userId", "u"}, {"event", ""}}).field, "event");
  EXPECT_EQ(Refused("alias", {{"userId", "u"}}).field, "previousId");
  EXPECT_EQ(Refused("alias", {{"anonymousId", "a"}, {"previousId", "p"}}).field, "userId");
  EXPECT_EQ(Refused("group", {{"userId", "u"}}).field, "groupId");
}

TEST(ParseHttpBody, WrongTypesAreRejectionsNamingTheField) {
  Rejection r = Refused("track", {{"userId", {{"id", 1}}}, {"event", "E"}});
  EXPECT_EQ(r.field, "userId");
  EXPECT_THAT(r.reason, HasSubstr("must be a string (or a number), got an object"));
  EXPECT_EQ(Refused("track", {{"userId", true}, {"event", "E"}}).field, "userId");
  EXPECT_EQ(Refused("track", {{"userId", "u"}, {"event", 3}}).field, "event");
  EXPECT_EQ(Refused("page", {{"userId", "u"}, {"name", {1}}}).field, "name");
  for (const char* field : {"properties", "traits", "context", "integrations"}) {
    Rejection bad = Refused("track", {{"userId", "u"}, {"event", "E"}, {field, {1, 2}}});
    EXPECT_EQ(bad.field, field);
    EXPECT_THAT(bad.reason, HasSubstr("must be a JSON object"));
    EXPECT_THAT(bad.reason, HasSubstr("got an array"));
  }
  EXPECT_EQ(Refused("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", 1711234567}}).field,
            "timestamp");
}

TEST(ParseHttpBody, NullCountsAsAbsent) {
  Event e = One("track", {{"userId", nullptr},
                          {"anonymousId", "a"},
                          {"event", "E"},
                          {"properties", nullptr},
                          {"timestamp", nullptr}});
  EXPECT_EQ(e.user_id, "");
  EXPECT_EQ(e.properties, "{}");
  EXPECT_EQ(e.timestamp, kReceived);
}

TEST(ParseHttpBody, ClockSkewCorrection) {
  // The device clock is 3 s fast: it stamped the event at 10:00:00 and sent it at 10:00:05 (its
  // time); we received it at 10:00:02, so the event happened 5 s before that: 09:59:57.
  Event e = One("track", {{"userId", "u"},
                          {"event", "E"},
                          {"timestamp", "2026-11-24T10:00:00Z"},
                          {"sentAt", "2026-11-24T10:00:05Z"}});
  EXPECT_EQ(e.timestamp, At("2026-11-24T09:59:57Z"));
  EXPECT_EQ(e.sent_at, At("2026-11-24T10:00:05Z"));
  EXPECT_EQ(e.original_timestamp, At("2026-11-24T10:00:00Z"));
  EXPECT_EQ(e.received_at, kReceived);
}

TEST(ParseHttpBody, OriginalTimestampWinsOverTimestamp) {
  Event e = One("track", {{"userId", "u"},
                          {"event", "E"},
                          {"timestamp", "2020-01-01T00:00:00Z"},
                          {"originalTimestamp", "2026-11-24T09:00:00Z"},
                          {"sentAt", "2026-11-24T09:00:01Z"}});
  EXPECT_EQ(e.timestamp, kReceived - 1000);
  EXPECT_EQ(e.original_timestamp, At("2026-11-24T09:00:00Z"));
  EXPECT_EQ(
      One("track", {{"userId", "u"}, {"event", "E"}, {"originalTimestamp", "2026-01-01T00:00:00Z"}})
          .timestamp,
      At("2026-01-01T00:00:00Z"));
}

TEST(ParseHttpBody, SentAtWithoutOriginalAndNoTimesUseReceivedAt) {
  EXPECT_EQ(One("track", {{"userId", "u"}, {"event", "E"}}).timestamp, kReceived);
  Event e = One("track", {{"userId", "u"}, {"event", "E"}, {"sentAt", "2026-11-24T09:00:00Z"}});
  EXPECT_EQ(e.timestamp, kReceived);
  EXPECT_EQ(e.sent_at, At("2026-11-24T09:00:00Z"));
}

TEST(ParseHttpBody, BadDatesAreRejectionsNamingTheField) {
  Rejection r = Refused("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "yesterday"}});
  EXPECT_EQ(r.field, "timestamp");
  EXPECT_THAT(r.reason, HasSubstr("ISO 8601"));
  EXPECT_EQ(Refused("track", {{"userId", "u"}, {"event", "E"}, {"sentAt", "2026-02-30"}}).field,
            "sentAt");
  Rejection year0 = Refused(
      "track", {{"userId", "u"}, {"event", "E"}, {"originalTimestamp", "0000-01-01T00:00:00Z"}});
  EXPECT_EQ(year0.field, "originalTimestamp");
  EXPECT_THAT(year0.reason, HasSubstr("year 0"));
  // Year 9999 is a valid date, but far more than max_future_skew ahead of receipt: refused.
  Rejection future =
      Refused("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "9999-12-31T23:59:59Z"}});
  EXPECT_EQ(future.field, "timestamp");
  EXPECT_THAT(future.reason, HasSubstr("ahead of"));
  // A skew correction that lands outside 0001-9999 is refused, naming sentAt.
  Rejection skew = Refused("track", {{"userId", "u"},
                                     {"event", "E"},
                                     {"timestamp", "0001-01-01T00:00:00Z"},
                                     {"sentAt", "9999-12-31T00:00:00Z"}});
  EXPECT_EQ(skew.field, "sentAt");
}

TEST(ParseHttpBody, BatchMergesTopLevelContextAndIntegrations) {
  json body = {{"writeKey", "wk-123"},
               {"context", {{"library", {{"name", "x"}}}, {"ip", "1.1.1.1"}}},
               {"integrations", {{"All", false}}},
               {"batch",
                {{{"type", "track"},
                  {"userId", "u"},
                  {"event", "E"},
                  {"context", {{"ip", "2.2.2.2"}, {"locale", "fr"}}}},
                 {{"type", "identify"}, {"userId", "u"}, {"integrations", {{"All", true}}}}}}};
  ParsedEvents parsed = Parse("batch", body.dump());
  ASSERT_EQ(parsed.events.size(), 2u) << Describe(parsed);
  EXPECT_EQ(parsed.write_key, "wk-123");
  EXPECT_EQ(parsed.events[0].context, R"({"library":{"name":"x"},"ip":"2.2.2.2","locale":"fr"})");
  EXPECT_EQ(parsed.events[0].integrations, R"({"All":false})");
  EXPECT_EQ(parsed.events[1].context, R"({"ip":"1.1.1.1","library":{"name":"x"}})");
  EXPECT_EQ(parsed.events[1].integrations, R"({"All":true})");
  EXPECT_EQ(parsed.events[1].type, EventType::kIdentify);
}

TEST(ParseHttpBody, AnalyticsNodeShapeGetsSkewCorrectedByTopLevelSentAt) {
  // @segment/analytics-node posts {batch:[{..., timestamp, messageId}], sentAt} to /v1/batch.
  json body = {{"sentAt", "2026-11-24T10:00:10Z"},
               {"batch",
                {{{"type", "track"},
                  {"userId", "u"},
                  {"event", "E"},
                  {"messageId", "node-1"},
                  {"timestamp", "2026-11-24T10:00:00Z"},
                  {"_metadata", {{"jsRuntime", "node"}}}},
                 {{"type", "track"},
                  {"userId", "u"},
                  {"event", "E"},
                  {"timestamp", "2026-11-24T10:00:00Z"},
                  {"sentAt", "2026-11-24T10:00:01Z"}}}}};
  ParsedEvents parsed = Parse("batch", body.dump());
  ASSERT_EQ(parsed.events.size(), 2u) << Describe(parsed);
  EXPECT_EQ(parsed.events[0].timestamp, kReceived - 10000);
  EXPECT_EQ(parsed.events[0].sent_at, At("2026-11-24T10:00:10Z"));
  EXPECT_EQ(parsed.events[1].timestamp, kReceived - 1000);  // the item's own sentAt wins
}

TEST(ParseHttpBody, BatchItemsAreRejectedOneByOne) {
  json body = {{"batch",
                {{{"type", "track"}, {"userId", "u"}, {"event", "A"}},
                 {{"userId", "u"}, {"event", "no type"}},
                 42,
                 {{"type", "shout"}, {"userId", "u"}},
                 {{"type", 7}, {"userId", "u"}},
                 {{"type", "track"}, {"userId", "u"}, {"event", "B"}}}}};
  ParsedEvents parsed = Parse("batch", body.dump());
  ASSERT_EQ(parsed.events.size(), 2u);
  EXPECT_EQ(parsed.events[0].event, "A");
  EXPECT_EQ(parsed.events[1].event, "B");
  ASSERT_EQ(parsed.rejections.size(), 4u);
  EXPECT_EQ(parsed.rejections[0].location, "batch[1]");
  EXPECT_EQ(parsed.rejections[0].field, "type");
  EXPECT_THAT(parsed.rejections[0].reason,
              HasSubstr("track, identify, alias, page, screen, group"));
  EXPECT_EQ(parsed.rejections[0].raw, R"({"event":"no type","userId":"u"})");
  EXPECT_EQ(parsed.rejections[1].location, "batch[2]");
  EXPECT_EQ(parsed.rejections[1].field, "");
  EXPECT_EQ(parsed.rejections[1].raw, "42");
  EXPECT_EQ(parsed.rejections[2].location, "batch[3]");
  EXPECT_THAT(parsed.rejections[2].reason, HasSubstr("\"shout\" is unknown"));
  EXPECT_EQ(parsed.rejections[3].location, "batch[4]");
}

TEST(ParseHttpBody, EmptyBatchIsFine) {
  ParsedEvents parsed = Parse("batch", R"({"batch":[]})");
  EXPECT_TRUE(parsed.events.empty());
  EXPECT_TRUE(parsed.rejections.empty());
}

TEST(ParseHttpBody, GeneratedMessageIdIsDeterministic) {
  const std::string item = R"({"type":"track","userId":"u","event":"E"})";
  ParsedEvents a = Parse("batch", R"({"batch":[)" + item + "]}");
  ParsedEvents b = Parse("batch", R"({ "batch" : [ )" + item + " ] }");
  ParsedEvents single = Parse("track", item);
  ASSERT_EQ(a.events.size(), 1u);
  ASSERT_EQ(b.events.size(), 1u);
  ASSERT_EQ(single.events.size(), 1u);
  EXPECT_EQ(a.events[0].message_id, GenerateMessageId(item));
  EXPECT_EQ(a.events[0].message_id, b.events[0].message_id);
  EXPECT_EQ(a.events[0].message_id, single.events[0].message_id);
  EXPECT_THAT(a.events[0].message_id, ::testing::MatchesRegex("sp-[0-9a-f]{32}"));
  ParsedEvents other = Parse("track", R"({"type":"track","userId":"u","event":"F"})");
  EXPECT_NE(other.events[0].message_id, a.events[0].message_id);
  // An explicit messageId is kept; an empty one is replaced.
  EXPECT_EQ(One("track", {{"userId", "u"}, {"event", "E"}, {"messageId", "abc"}}).message_id,
            "abc");
  EXPECT_THAT(One("track", {{"userId", "u"}, {"event", "E"}, {"messageId", ""}}).message_id,
              HasSubstr("sp-"));
}

// A body of exactly `size` bytes: a track event padded through a property.
std::string TrackOfSize(size_t size) {
  const std::string head = R"({"userId":"u","event":"E","properties":{"pad":")";
  const std::string tail = R"("}})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST(ParseHttpBody, SingleEventLimitBoundary) {
  Limits limits;
  EXPECT_EQ(Parse("track", TrackOfSize(limits.max_event_bytes)).events.size(), 1u);
  Status over = WholeRequestError("track", TrackOfSize(limits.max_event_bytes + 1));
  EXPECT_EQ(over.code(), Code::kResourceExhausted);
  EXPECT_THAT(over.message(), HasSubstr("max_event_bytes = 32768 bytes (32 KiB)"));
  EXPECT_THAT(over.message(), HasSubstr("32769"));
}

TEST(ParseHttpBody, BatchItemLimitBoundary) {
  Limits limits;
  const std::string ok_item =
      R"({"type":"track",)" + TrackOfSize(limits.max_event_bytes - 15).substr(1);
  ASSERT_EQ(ok_item.size(), limits.max_event_bytes);
  const std::string big_item =
      R"({"type":"track",)" + TrackOfSize(limits.max_event_bytes - 14).substr(1);
  ParsedEvents parsed =
      Parse("batch", R"({"batch":[)" + ok_item + "," + big_item + "," + ok_item + "]}");
  EXPECT_EQ(parsed.events.size(), 2u);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].location, "batch[1]");
  EXPECT_THAT(parsed.rejections[0].reason, HasSubstr("32769 bytes"));
  EXPECT_THAT(parsed.rejections[0].reason, HasSubstr("max_event_bytes"));
}

std::string BatchOf(size_t items) {
  std::string body = R"({"batch":[)";
  for (size_t i = 0; i < items; ++i) {
    if (i) body += ',';
    body += R"({"type":"track","userId":"u","event":"E","messageId":")" + std::to_string(i) + "\"}";
  }
  return body + "]}";
}

TEST(ParseHttpBody, BatchCountLimitBoundary) {
  EXPECT_EQ(Parse("batch", BatchOf(2500)).events.size(), 2500u);
  Status over = WholeRequestError("batch", BatchOf(2501));
  EXPECT_EQ(over.code(), Code::kResourceExhausted);
  EXPECT_THAT(over.message(), HasSubstr("2501"));
  EXPECT_THAT(over.message(), HasSubstr("max_batch_events = 2500"));
  Limits small;
  small.max_batch_events = 3;
  EXPECT_EQ(ParseHttpBody("batch", BatchOf(3), kReceived, small).ok(), true);
  EXPECT_EQ(ParseHttpBody("batch", BatchOf(4), kReceived, small).status().code(),
            Code::kResourceExhausted);
}

TEST(ParseHttpBody, BatchBytesLimitBoundary) {
  Limits limits;
  limits.max_batch_bytes = 1000;
  std::string body = BatchOf(3);
  body.insert(body.size() - 1, std::string(1000 - body.size(), ' '));
  ASSERT_EQ(body.size(), 1000u);
  EXPECT_TRUE(ParseHttpBody("batch", body, kReceived, limits).ok());
  body.insert(body.size() - 1, " ");
  Status over = WholeRequestError("batch", body, limits);
  EXPECT_EQ(over.code(), Code::kResourceExhausted);
  EXPECT_THAT(over.message(), HasSubstr("max_batch_bytes = 1000 bytes"));
  // The default: 500 KiB.
  Status big = WholeRequestError("batch", R"({"batch":[)" + std::string(500 * 1024, ' ') + "]}");
  EXPECT_THAT(big.message(), HasSubstr("max_batch_bytes = 512000 bytes (500 KiB)"));
}

TEST(ParseHttpBody, WholeRequestErrors) {
  struct Case {
    std::string_view endpoint;
    std::string body;
    std::string_view expect;
  };
  const Case cases[] = {
      {"track", "", "empty"},
      {"batch", " \n\t ", "empty"},
      {"track", "not json", "not valid JSON"},
      {"track", R"({"userId":"u","event":"E")", "not valid JSON"},  // truncated
      {"track", R"({"userId":"u",})", "not valid JSON"},
      {"track", "[1,2]", "must be a JSON object, got an array"},
      {"track", "\"text\"", "must be a JSON object, got a string"},
      {"batch", R"({"batch":[{"type":"track"})", "not valid JSON"},  // truncated batch
      {"batch", R"({"batch":[{"type":"track"}]} x)", "not valid JSON"},
      {"batch", "{\"batch\":[],\"context\":{\"a\":\"\xff\"}}", "UTF-8"},
      {"batch", "{}", "needs `batch`"},
      {"batch", R"({"batch":{"type":"track"}})",
       "`batch` must be an array of events, got an object"},
      {"batch", R"({"batch":[],"context":[1]})", "top-level `context` must be a JSON object"},
      {"batch", R"({"batch":[],"integrations":"x"})", "top-level `integrations`"},
      {"batch", R"({"batch":[],"sentAt":"soon"})", "top-level `sentAt`"},
      {"batch", R"({"batch":[],"sentAt":5})", "top-level `sentAt`"},
      {"import", "{}", "unknown endpoint /v1/import"},
  };
  for (const Case& c : cases) {
    Status s = WholeRequestError(c.endpoint, c.body);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.body;
    EXPECT_THAT(s.message(), HasSubstr(c.expect)) << c.body;
  }
}

TEST(ParseHttpBody, WriteKeyIsReturnedFromAnyBody) {
  EXPECT_EQ(Parse("track", R"({"writeKey":"k1","userId":"u","event":"E"})").write_key, "k1");
  EXPECT_EQ(Parse("track", R"({"userId":"u","event":"E"})").write_key, "");
  EXPECT_EQ(Parse("batch", R"({"writeKey":7,"batch":[]})").write_key, "");
}

TEST(ParseHttpBody, RejectedItemKeepsTheRawText) {
  const std::string body = R"({"event":"E", "userId": {"nope": 1}})";
  ParsedEvents parsed = Parse("track", body);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].raw, body);
}

// ---- one bad item never costs the good ones (issue 11, defect 6) ----------------------------

const std::string kGoodA = R"({"type":"track","userId":"u","event":"A","messageId":"a"})";
const std::string kGoodB = R"({"type":"track","userId":"u","event":"B","messageId":"b"})";

// A batch of kGoodA, `bad`, kGoodB: both good items stored, `bad` refused naming `field`.
void ExpectOnlyTheMiddleItemRefused(const std::string& bad, std::string_view field,
                                    std::string_view reason) {
  SCOPED_TRACE(bad.substr(0, 120));
  ParsedEvents parsed =
      Parse("batch", R"({"batch":[)" + kGoodA + ",\n " + bad + " ,\n" + kGoodB + "]}");
  ASSERT_EQ(parsed.events.size(), 2u) << Describe(parsed);
  EXPECT_EQ(parsed.events[0].event, "A");
  EXPECT_EQ(parsed.events[1].event, "B");
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].location, "batch[1]");
  EXPECT_EQ(parsed.rejections[0].field, field);
  EXPECT_THAT(parsed.rejections[0].reason, HasSubstr(reason));
  EXPECT_EQ(parsed.rejections[0].raw, bad.substr(0, kMaxRejectionRawBytes));
}

std::string TrackWithProperties(std::string_view properties) {
  return R"({"type":"track","userId":"u","event":"E","properties":)" + std::string(properties) +
         "}";
}

TEST(ParseHttpBody, ALoneSurrogateRefusesOnlyItsItem) {
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties(R"({"name":"cut \ud83d"})"), "properties.name",
                                 "lone surrogate \\ud83d");
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties(R"({"name":"\ude00 low first"})"),
                                 "properties.name", "lone surrogate");
  // A whole pair is fine.
  EXPECT_EQ(
      Parse("batch", R"({"batch":[)" + TrackWithProperties(R"({"name":"\ud83d\ude00"})") + "]}")
          .events.size(),
      1u);
}

TEST(ParseHttpBody, InvalidUtf8RefusesOnlyItsItem) {
  const std::string bad = TrackWithProperties("{\"name\":\"ab\xff\"}");
  ExpectOnlyTheMiddleItemRefused(bad, "properties.name",
                                 fmt::format("invalid UTF-8 at byte {}", bad.find('\xff')));
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties("{\"tags\":[\"ok\",\"\xc3\"]}"),
                                 "properties.tags[1]", "invalid UTF-8");
  // In a key: the path names the object holding it.
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties("{\"k\xe2\x82\":1}"), "properties",
                                 "a key in `properties`: invalid UTF-8");
}

TEST(ParseHttpBody, NumbersOutOfRangeRefuseOnlyTheirItem) {
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties(R"({"total":1e400})"), "properties.total",
                                 "number 1e400 is out of range");
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties(R"({"total":-1e400})"), "properties.total",
                                 "out of range");
  // 2^70: beyond 64 bits, refused (not rounded to a double behind the sender's back).
  ExpectOnlyTheMiddleItemRefused(TrackWithProperties(R"({"big":1180591620717411303424})"),
                                 "properties.big", "beyond 64 bits");
  ExpectOnlyTheMiddleItemRefused(R"({"type":"track","userId":-9223372036854775809,"event":"E"})",
                                 "userId", "beyond 64 bits");
  // The largest 64-bit integers are fine.
  ParsedEvents edge = Parse(
      "batch", R"({"batch":[)" +
                   TrackWithProperties(R"({"a":18446744073709551615,"b":-9223372036854775808})") +
                   "]}");
  EXPECT_EQ(edge.events.size(), 1u) << Describe(edge);
}

TEST(ParseHttpBody, DeepNestingRefusesOnlyItsItem) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  ParsedEvents parsed =
      Parse("batch", R"({"batch":[)" + kGoodA + "," + TrackWithProperties("{\"d\":" + deep + "}") +
                         "," + kGoodB + "]}");
  ASSERT_EQ(parsed.events.size(), 2u) << Describe(parsed);
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_THAT(parsed.rejections[0].field, ::testing::StartsWith("properties.d[0][0]"));
  EXPECT_LE(parsed.rejections[0].field.size(), 300u);
  EXPECT_THAT(parsed.rejections[0].reason, HasSubstr("nested deeper than"));
}

TEST(ParseHttpBody, ASyntaxErrorInsideOneItemRefusesOnlyThatItem) {
  ExpectOnlyTheMiddleItemRefused(R"({"type":"track",,"userId":"u"})", "",
                                 "not valid JSON at byte 16");
  ExpectOnlyTheMiddleItemRefused("{\"type\":\"track\",\"userId\":\"a\tb\",\"event\":\"E\"}",
                                 "userId", "control character U+0009");
}

TEST(ParseHttpBody, ALeadingBomIsSkipped) {
  ParsedEvents batch = Parse("batch",
                             "\xEF\xBB\xBF"
                             R"({"batch":[)" +
                                 kGoodA + "]}");
  EXPECT_EQ(batch.events.size(), 1u) << Describe(batch);
  ParsedEvents single = Parse("track",
                              "\xEF\xBB\xBF"
                              R"({"userId":"u","event":"E"})");
  EXPECT_EQ(single.events.size(), 1u) << Describe(single);
}

TEST(ParseHttpBody, ASingleEventWithBadTextIsARejectionNamingTheField) {
  ParsedEvents parsed = Parse("track", "{\"userId\":\"\xff\xfe\",\"event\":\"E\"}");
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].location, "body");
  EXPECT_EQ(parsed.rejections[0].field, "userId");
  EXPECT_THAT(parsed.rejections[0].reason, HasSubstr("invalid UTF-8 at byte 11"));
  EXPECT_EQ(Parse("track", R"({"userId":"u","event":"E","properties":{"n":1e999}})")
                .rejections.at(0)
                .field,
            "properties.n");
}

// ---- event times: a future skew and a floor (issue 11, defect 9) ----------------------------

TEST(ParseHttpBody, TimesBeyondTheFutureSkewAreRefused) {
  // Default: one day ahead of receipt is the most accepted.
  EXPECT_EQ(One("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-11-25T10:00:02Z"}})
                .timestamp,
            kReceived + kDayMs);
  Rejection late = Refused(
      "track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-11-25T10:00:02.001Z"}});
  EXPECT_EQ(late.field, "timestamp");
  EXPECT_THAT(late.reason, HasSubstr("max_future_skew"));
  Rejection original = Refused(
      "track", {{"userId", "u"}, {"event", "E"}, {"originalTimestamp", "2027-01-01T00:00:00Z"}});
  EXPECT_EQ(original.field, "originalTimestamp");
  // The limit is an option.
  Limits tight;
  tight.max_future_skew_ms = kMinuteMs;
  ParsedEvents parsed = Parse("batch",
                              json{{"batch",
                                    {{{"type", "track"},
                                      {"userId", "u"},
                                      {"event", "A"},
                                      {"timestamp", "2026-11-24T10:01:02Z"}},
                                     {{"type", "track"},
                                      {"userId", "u"},
                                      {"event", "B"},
                                      {"timestamp", "2026-11-24T10:01:03Z"}}}}}
                                  .dump(),
                              tight);
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].event, "A");
  ASSERT_EQ(parsed.rejections.size(), 1u);
  EXPECT_EQ(parsed.rejections[0].location, "batch[1]");
}

TEST(ParseHttpBody, TimesBeforeTheYear2000AreRefused) {
  EXPECT_EQ(One("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "2000-01-01T00:00:00Z"}})
                .timestamp,
            At("2000-01-01T00:00:00Z"));
  Rejection old = Refused(
      "track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "1999-12-31T23:59:59.999Z"}});
  EXPECT_EQ(old.field, "timestamp");
  EXPECT_THAT(old.reason, HasSubstr("2000-01-01"));
  EXPECT_EQ(
      Refused("track", {{"userId", "u"}, {"event", "E"}, {"timestamp", "1970-01-01T00:00:00Z"}})
          .field,
      "timestamp");
}

// ---- the engine's own names and ids (issue 11, defect 4) --------------------------------------

TEST(ParseHttpBody, ReservedEventNamesAndSystemMessageIdsAreRefused) {
  for (const char* name : {"Goal Attained", "Journey Entered", "Journey Exited", "Message Opened",
                           "Message Sent", "Message Clicked", "Profile Updated"}) {
    Rejection r = Refused("track", {{"userId", "u"}, {"event", name}});
    EXPECT_EQ(r.field, "event") << name;
    EXPECT_THAT(r.reason, HasSubstr("reserved")) << name;
  }
  EXPECT_EQ(Refused("page", {{"userId", "u"}, {"name", "Message Sent"}}).field, "name");
  Rejection id = Refused("track", {{"userId", "u"}, {"event", "E"}, {"messageId", "sp:j/1/u/1"}});
  EXPECT_EQ(id.field, "messageId");
  EXPECT_THAT(id.reason, HasSubstr("sp:"));
  // Near misses are fine.
  EXPECT_EQ(
      One("track", {{"userId", "u"}, {"event", "goal attained"}, {"messageId", "sp-1"}}).event,
      "goal attained");
}

}  // namespace
}  // namespace signpost::ingest
