#include "ingest/ndjson_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/message_id.h"
#include "ingest/test_support.h"

namespace signpost::ingest {
namespace {

using testing::At;
using testing::Describe;
using ::testing::HasSubstr;

const TimeMs kImportTime = At("2026-11-24T12:00:00Z");

ParsedEvents ParseAll(std::string_view text, Limits limits = {}) {
  NdjsonParser parser(kImportTime, limits);
  ParsedEvents out;
  parser.Feed(text, out);
  parser.Finish(out);
  return out;
}

// Same input, fed in chunks of `chunk` bytes.
ParsedEvents ParseChunked(std::string_view text, size_t chunk, Limits limits = {}) {
  NdjsonParser parser(kImportTime, limits);
  ParsedEvents out;
  for (size_t i = 0; i < text.size(); i += chunk) parser.Feed(text.substr(i, chunk), out);
  parser.Finish(out);
  return out;
}

const std::string kFile =
    "\xEF\xBB\xBF{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"plan\":\"pro\"}}\r\n"
    "\n"
    "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\","
    "\"timestamp\":\"2026-01-02T03:04:05.678Z\"}\r\n"
    "   \n"
    "{\"type\":\"track\",\"userId\":\"u1\"}\n"
    "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"A\"\n"
    "[1,2,3]\n"
    "{\"type\":\"page\",\"anonymousId\":\"a9\",\"name\":\"Home\"}";  // no final newline

TEST(NdjsonParser, ParsesLinesAndCountsBlankOnes) {
  ParsedEvents out = ParseAll(kFile);
  ASSERT_EQ(out.events.size(), 3u) << Describe(out);
  EXPECT_EQ(out.events[0].type, EventType::kIdentify);
  EXPECT_EQ(out.events[0].traits, R"({"plan":"pro"})");
  EXPECT_EQ(out.events[1].event, "Signed Up");
  EXPECT_EQ(out.events[1].timestamp, At("2026-01-02T03:04:05.678Z"));
  EXPECT_EQ(out.events[1].received_at, kImportTime);
  EXPECT_EQ(out.events[2].type, EventType::kPage);
  EXPECT_EQ(out.events[2].event, "Home");
  ASSERT_EQ(out.rejections.size(), 3u);
  EXPECT_EQ(out.rejections[0].location, "line 5");
  EXPECT_EQ(out.rejections[0].field, "event");
  EXPECT_EQ(out.rejections[0].raw, R"({"type":"track","userId":"u1"})");
  EXPECT_EQ(out.rejections[1].location, "line 6");
  EXPECT_THAT(out.rejections[1].reason, HasSubstr("not valid JSON"));
  EXPECT_EQ(out.rejections[2].location, "line 7");
  EXPECT_THAT(out.rejections[2].reason, HasSubstr("got an array"));
}

TEST(NdjsonParser, AnyChunkingGivesTheSameResult) {
  const ParsedEvents whole = ParseAll(kFile);
  for (size_t chunk : {1, 2, 3, 7, 64}) {
    ParsedEvents out = ParseChunked(kFile, chunk);
    ASSERT_EQ(out.events.size(), whole.events.size()) << chunk;
    for (size_t i = 0; i < out.events.size(); ++i) {
      EXPECT_EQ(out.events[i].message_id, whole.events[i].message_id);
      EXPECT_EQ(out.events[i].event, whole.events[i].event);
    }
    ASSERT_EQ(out.rejections.size(), whole.rejections.size());
    for (size_t i = 0; i < out.rejections.size(); ++i) {
      EXPECT_EQ(out.rejections[i].location, whole.rejections[i].location);
      EXPECT_EQ(out.rejections[i].raw, whole.rejections[i].raw);
    }
  }
}

TEST(NdjsonParser, LinesMustCarryAType) {
  ParsedEvents out = ParseAll(R"({"userId":"u","event":"E"})"
                              "\n");
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].field, "type");
  EXPECT_EQ(out.rejections[0].location, "line 1");
}

TEST(NdjsonParser, MessageIdIsTheHashOfTheLine) {
  const std::string line = R"({"type":"track","userId":"u","event":"E"})";
  ParsedEvents first = ParseAll(line + "\n");
  ParsedEvents again = ParseAll(line + "\r\n");
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_EQ(first.events[0].message_id, GenerateMessageId(line));
  EXPECT_EQ(again.events[0].message_id, first.events[0].message_id);
}

TEST(NdjsonParser, ReceivedAtOfAnExportIsKept) {
  // A Segment export line: the correction uses its own receivedAt, not the import time.
  ParsedEvents out = ParseAll(
      R"({"type":"track","userId":"u","event":"E","originalTimestamp":"2025-01-01T00:00:00Z",)"
      R"("sentAt":"2025-01-01T00:00:01Z","receivedAt":"2025-01-01T00:00:03Z"})");
  ASSERT_EQ(out.events.size(), 1u) << Describe(out);
  EXPECT_EQ(out.events[0].timestamp, At("2025-01-01T00:00:02Z"));
  EXPECT_EQ(out.events[0].received_at, At("2025-01-01T00:00:03Z"));
  ParsedEvents bad = ParseAll(R"({"type":"track","userId":"u","event":"E","receivedAt":"x"})");
  ASSERT_EQ(bad.rejections.size(), 1u);
  EXPECT_EQ(bad.rejections[0].field, "receivedAt");
}

std::string LineOfSize(size_t size) {
  const std::string head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")";
  const std::string tail = R"("}})";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST(NdjsonParser, EventLimitBoundaryPerLine) {
  Limits limits;
  const std::string text = LineOfSize(limits.max_event_bytes) + "\n" +
                           LineOfSize(limits.max_event_bytes + 1) + "\n" +
                           LineOfSize(limits.max_event_bytes) + "\r\n";
  for (size_t chunk : {size_t{1000}, text.size()}) {
    ParsedEvents out = ParseChunked(text, chunk);
    EXPECT_EQ(out.events.size(), 2u);
    ASSERT_EQ(out.rejections.size(), 1u);
    EXPECT_EQ(out.rejections[0].location, "line 2");
    EXPECT_THAT(out.rejections[0].reason, HasSubstr("32769 bytes"));
    EXPECT_THAT(out.rejections[0].reason, HasSubstr("max_event_bytes = 32768"));
  }
}

TEST(NdjsonParser, HugeLineKeepsMemoryBoundedAndTheNextLineParses) {
  NdjsonParser parser(kImportTime);
  ParsedEvents out;
  const std::string chunk(1 << 20, 'x');
  parser.Feed("{\"type\":\"track\",\"p\":\"", out);
  for (int i = 0; i < 16; ++i) parser.Feed(chunk, out);  // a 16 MiB line
  parser.Feed("\"}\n{\"type\":\"track\",\"userId\":\"u\",\"event\":\"after\"}\n", out);
  parser.Finish(out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].location, "line 1");
  EXPECT_LE(out.rejections[0].raw.size(), kMaxRejectionRawBytes);
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("16777239 bytes"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].event, "after");
  EXPECT_EQ(parser.lines(), 2u);
}

TEST(NdjsonParser, InvalidUtf8AndTruncatedLines) {
  ParsedEvents out = ParseAll(
      "{\"type\":\"track\",\"userId\":\"\xc0\xaf\",\"event\":\"E\"}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"eve\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}\n"
      "{\"type\":\"track\"");
  EXPECT_EQ(out.events.size(), 1u);
  ASSERT_EQ(out.rejections.size(), 3u);
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("UTF-8"));
  EXPECT_THAT(out.rejections[1].reason, HasSubstr("not valid JSON"));
  EXPECT_EQ(out.rejections[2].location, "line 4");
}

TEST(NdjsonParser, DeepNestingIsARejectionNotACrash) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string ok_depth = std::string(500, '[') + std::string(500, ']');
  ParsedEvents out = ParseAll(
      R"({"type":"track","userId":"u","event":"E","properties":{"a":)" + deep + "}}\n" +
      R"({"type":"track","userId":"u","event":"E","properties":{"a":)" + ok_depth + "}}\n");
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].location, "line 1");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("nested deeper than 1024 levels"));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].properties, R"({"a":)" + ok_depth + "}");
}

TEST(NdjsonParser, FinishIsIdempotentAndEmptyInputIsNothing) {
  NdjsonParser parser(kImportTime);
  ParsedEvents out;
  parser.Finish(out);
  parser.Feed("", out);
  parser.Finish(out);
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.rejections.empty());
}

TEST(NdjsonParser, ALineThatDoesNotParseIsRefusedNamingTheField) {
  ParsedEvents out = ParseAll(
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\"}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"total\":1e400}}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"n\":\"\\ud83d\"}}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"n\":\"\xff\"}}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"B\"}\n");
  ASSERT_EQ(out.events.size(), 2u) << Describe(out);
  ASSERT_EQ(out.rejections.size(), 3u);
  EXPECT_EQ(out.rejections[0].location, "line 2");
  EXPECT_EQ(out.rejections[0].field, "properties.total");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("out of range"));
  EXPECT_EQ(out.rejections[1].field, "properties.n");
  EXPECT_THAT(out.rejections[1].reason, HasSubstr("lone surrogate"));
  EXPECT_EQ(out.rejections[2].field, "properties.n");
  EXPECT_THAT(out.rejections[2].reason, HasSubstr("invalid UTF-8"));
}

TEST(NdjsonParser, SystemNamesIdsAndFutureTimesAreRefused) {
  ParsedEvents out = ParseAll(
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Journey Entered\"}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"sp:x\"}\n"
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"9999-01-01T00:00:00Z\"}"
      "\n"
      // An export's own receivedAt in the future is refused too.
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"receivedAt\":\"2030-01-01T00:00:"
      "00Z\"}\n"
      // An old export keeps its historic times.
      "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2015-01-01T00:00:00Z\","
      "\"receivedAt\":\"2015-01-01T00:00:01Z\"}\n");
  ASSERT_EQ(out.events.size(), 1u) << Describe(out);
  ASSERT_EQ(out.rejections.size(), 4u);
  EXPECT_EQ(out.rejections[0].field, "event");
  EXPECT_EQ(out.rejections[1].field, "messageId");
  EXPECT_EQ(out.rejections[2].field, "timestamp");
  EXPECT_EQ(out.rejections[3].field, "receivedAt");
}

// A parser given the part of a file after its first 41 lines names lines from 42 on (an importer
// parsing a chunk's parts on several threads), and drops a line left unfinished.
TEST(NdjsonParserTest, SetLinesBeforeNumbersTheNextLine) {
  NdjsonParser parser(kImportTime);
  ParsedEvents out;
  parser.Feed("{\"type\":\"track\",\"userId\":\"u\",\"ev", out);  // unfinished
  parser.SetLinesBefore(41);
  parser.Feed("not json\n{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}\n[]\n", out);
  EXPECT_EQ(parser.lines(), 44u);
  ASSERT_EQ(out.events.size(), 1u);
  ASSERT_EQ(out.rejections.size(), 2u);
  EXPECT_EQ(out.rejections[0].location, "line 42");
  EXPECT_EQ(out.rejections[1].location, "line 44");
}

}  // namespace
}  // namespace signpost::ingest
