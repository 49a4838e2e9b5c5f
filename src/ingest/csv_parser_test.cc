#include "ingest/csv_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/message_id.h"
#include "ingest/test_support.h"

namespace signpost::ingest {
namespace {

using testing::At;
using testing::Describe;
using ::testing::HasSubstr;

const TimeMs kCsvImportTime = At("2026-11-24T12:00:00Z");

ParsedEvents ParseCsvChunked(std::string_view text, size_t chunk, Status* status = nullptr,
                             Limits limits = {}) {
  CsvParser parser(kCsvImportTime, limits);
  ParsedEvents out;
  for (size_t i = 0; i < text.size(); i += chunk) parser.Feed(text.substr(i, chunk), out);
  parser.Finish(out);
  if (status) *status = parser.status();
  return out;
}

ParsedEvents ParseCsv(std::string_view text, Status* status = nullptr, Limits limits = {}) {
  return ParseCsvChunked(text, std::max<size_t>(text.size(), 1), status, limits);
}

TEST(CsvParser, HeaderMapsColumnsAndTypeDefaultsToTrack) {
  Status status;
  ParsedEvents out = ParseCsv(
      "userId,event,timestamp,properties.plan,properties.price,properties.trial\n"
      "u1,Signed Up,2026-11-01T10:00:00Z,pro,19.99,true\n"
      "u2,Signed Up,,free,0,false\n",
      &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(out.events.size(), 2u) << Describe(out);
  const Event& e = out.events[0];
  EXPECT_EQ(e.type, EventType::kTrack);
  EXPECT_EQ(e.user_id, "u1");
  EXPECT_EQ(e.event, "Signed Up");
  EXPECT_EQ(e.timestamp, At("2026-11-01T10:00:00Z"));
  EXPECT_EQ(e.properties, R"({"plan":"pro","price":19.99,"trial":true})");
  EXPECT_EQ(out.events[1].timestamp, kCsvImportTime);  // empty cell: absent
  EXPECT_EQ(out.events[1].properties, R"({"plan":"free","price":0,"trial":false})");
}

TEST(CsvParser, CellTyping) {
  ParsedEvents out = ParseCsv(
      "userId,event,properties.a,properties.b,properties.c,properties.d,properties.e,properties.f\n"
      "007,E,007,-1.5e3,True,1e999,\"say \"\"hi\"\"\",\n");
  ASSERT_EQ(out.events.size(), 1u) << Describe(out);
  EXPECT_EQ(out.events[0].user_id, "007");  // ids stay text
  EXPECT_EQ(out.events[0].properties,
            R"({"a":"007","b":-1.5e3,"c":"True","d":"1e999","e":"say \"hi\""})");
}

TEST(CsvParser, NestedColumnsBuildObjects) {
  ParsedEvents out = ParseCsv(
      "type,userId,traits.email,traits.address.city,traits.address.zip,context.device.os.name,"
      "integrations.All\n"
      "identify,u1,a@b.c,Paris,75001,iOS,false\n"
      "identify,u2,,,,,\n");
  ASSERT_EQ(out.events.size(), 2u) << Describe(out);
  EXPECT_EQ(out.events[0].type, EventType::kIdentify);
  EXPECT_EQ(out.events[0].traits, R"({"email":"a@b.c","address":{"city":"Paris","zip":75001}})");
  EXPECT_EQ(out.events[0].context, R"({"device":{"os":{"name":"iOS"}}})");
  EXPECT_EQ(out.events[0].integrations, R"({"All":false})");
  EXPECT_EQ(out.events[1].traits, "{}");
  EXPECT_EQ(out.events[1].context, "{}");
}

TEST(CsvParser, Rfc4180Quoting) {
  const std::string text =
      "userId,event,properties.note\r\n"
      "\"u,1\",\"Order \"\"Big\"\" Completed\",\"line one\r\nline two\"\r\n"
      "u2,E,\"\"\r\n"
      "u3,E,plain\"quote\r\n";
  ParsedEvents out = ParseCsv(text);
  ASSERT_EQ(out.events.size(), 3u) << Describe(out);
  EXPECT_EQ(out.events[0].user_id, "u,1");
  EXPECT_EQ(out.events[0].event, "Order \"Big\" Completed");
  EXPECT_EQ(out.events[0].properties, R"({"note":"line one\r\nline two"})");
  EXPECT_EQ(out.events[1].properties, "{}");  // "" is an empty cell
  EXPECT_EQ(out.events[2].properties, R"({"note":"plain\"quote"})");
}

TEST(CsvParser, AnyChunkingGivesTheSameResult) {
  const std::string text =
      "\xEF\xBB\xBFuserId,event,properties.note\r\n"
      "\"u,1\",\"a \"\"b\"\"\",\"x\r\ny\"\r\n"
      "u2,E\r\n"
      "u3,E,z";
  const ParsedEvents whole = ParseCsv(text);
  ASSERT_EQ(whole.events.size(), 2u) << Describe(whole);
  for (size_t chunk : {1, 2, 5}) {
    ParsedEvents out = ParseCsvChunked(text, chunk);
    ASSERT_EQ(out.events.size(), 2u) << chunk;
    EXPECT_EQ(out.events[0].properties, whole.events[0].properties);
    EXPECT_EQ(out.events[0].message_id, whole.events[0].message_id);
    EXPECT_EQ(out.events[1].user_id, "u3");
    ASSERT_EQ(out.rejections.size(), 1u);
    EXPECT_EQ(out.rejections[0].location, "row 2");
  }
}

TEST(CsvParser, RowNumbersAndBadRows) {
  ParsedEvents out = ParseCsv(
      "userId,event,timestamp\n"
      "u1,E,\n"
      "\n"
      "u2,E\n"
      "u3,E,2026-13-01\n"
      ",E,\n"
      "u4,,\n"
      "u5,\"E\"x,\n"
      "u6,E,\n");
  ASSERT_EQ(out.events.size(), 2u) << Describe(out);
  EXPECT_EQ(out.events[1].user_id, "u6");
  ASSERT_EQ(out.rejections.size(), 5u) << Describe(out);
  EXPECT_EQ(out.rejections[0].location, "row 3");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("2 columns but the header has 3"));
  EXPECT_EQ(out.rejections[0].raw, "u2,E");
  EXPECT_EQ(out.rejections[1].location, "row 4");
  EXPECT_EQ(out.rejections[1].field, "timestamp");
  EXPECT_THAT(out.rejections[1].reason, HasSubstr("month 13"));
  EXPECT_EQ(out.rejections[2].location, "row 5");
  EXPECT_EQ(out.rejections[2].field, "userId");
  EXPECT_EQ(out.rejections[3].location, "row 6");
  EXPECT_EQ(out.rejections[3].field, "event");
  EXPECT_EQ(out.rejections[4].location, "row 7");
  EXPECT_THAT(out.rejections[4].reason, HasSubstr("closing quote"));
}

TEST(CsvParser, UnterminatedQuoteAtTheEnd) {
  ParsedEvents out = ParseCsv("userId,event\nu1,\"never closed\nu2,E\n");
  EXPECT_TRUE(out.events.empty());
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].location, "row 1");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("never closed"));
}

TEST(CsvParser, UnknownHeaderColumnIsAnErrorListingTheValidOnes) {
  Status status;
  ParsedEvents out = ParseCsv("userId,evnt\nu1,E\nu2,E\n", &status);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unknown header column \"evnt\" (column 2)"));
  EXPECT_THAT(status.message(), HasSubstr("userId, anonymousId, event, name"));
  EXPECT_THAT(status.message(), HasSubstr("properties.<key>"));
  EXPECT_TRUE(out.events.empty());
  ASSERT_EQ(out.rejections.size(), 1u);  // the header only; later rows are not read
  EXPECT_EQ(out.rejections[0].location, "header");
  EXPECT_EQ(out.rejections[0].raw, "userId,evnt");
}

TEST(CsvParser, OtherBadHeaders) {
  for (const auto& [header, expect] : std::vector<std::pair<std::string, std::string>>{
           {"userId,userId", "appears twice"},
           {"userId,properties.a,properties.a.b", "conflicts"},
           {"userId,properties.a.b,properties.a", "conflicts"},
           {"userId,properties.a,properties.a", "conflicts"},
           {"userId,properties.", "empty key"},
           {"userId,properties..x", "empty key"},
           {"userId,properties", "unknown header column \"properties\""},
           {"userId,extra.x", "unknown header column"},
       }) {
    Status status;
    ParseCsv(header + "\nu,E\n", &status);
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << header;
    EXPECT_THAT(status.message(), HasSubstr(expect)) << header;
  }
  Status spaces;
  ParsedEvents ok = ParseCsv(" userId , event \nu,E\n", &spaces);
  EXPECT_TRUE(spaces.ok());
  EXPECT_EQ(ok.events.size(), 1u);
}

TEST(CsvParser, TypesAndTheirFields) {
  ParsedEvents out = ParseCsv(
      "type,userId,anonymousId,event,name,previousId,groupId\n"
      "page,u,,ignored,Pricing,,\n"
      "alias,u,,,,old-id,\n"
      "group,u,,,,,acme\n"
      ",u,,Clicked,,,\n"
      "shout,u,,,,,\n");
  ASSERT_EQ(out.events.size(), 4u) << Describe(out);
  EXPECT_EQ(out.events[0].type, EventType::kPage);
  EXPECT_EQ(out.events[0].event, "Pricing");
  EXPECT_EQ(out.events[1].previous_id, "old-id");
  EXPECT_EQ(out.events[2].group_id, "acme");
  EXPECT_EQ(out.events[3].type, EventType::kTrack);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].field, "type");
}

TEST(CsvParser, SkewCorrectionAndMessageIds) {
  const std::string row = "m1,u,E,2026-11-24T10:00:00Z,2026-11-24T10:00:05Z";
  const std::string row2 = ",u,E,2026-11-24T10:00:00Z,";
  ParsedEvents out =
      ParseCsv("messageId,userId,event,originalTimestamp,sentAt\n" + row + "\n" + row2 + "\n");
  ASSERT_EQ(out.events.size(), 2u) << Describe(out);
  EXPECT_EQ(out.events[0].message_id, "m1");
  EXPECT_EQ(out.events[0].timestamp, kCsvImportTime - 5000);
  EXPECT_EQ(out.events[1].message_id, GenerateMessageId(row2));
  EXPECT_EQ(out.events[1].timestamp, At("2026-11-24T10:00:00Z"));
}

TEST(CsvParser, InvalidUtf8RowIsRejected) {
  ParsedEvents out = ParseCsv("userId,event\nu\xff,E\nu2,E\n");
  EXPECT_EQ(out.events.size(), 1u);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("UTF-8"));
}

TEST(CsvParser, RowSizeLimitBoundary) {
  Limits limits;
  const std::string head = "u,E,";
  const std::string at_limit = head + std::string(limits.max_event_bytes - head.size(), 'x');
  const std::string over = head + std::string(limits.max_event_bytes + 1 - head.size(), 'x');
  ParsedEvents out = ParseCsvChunked(
      "userId,event,properties.p\n" + at_limit + "\n" + over + "\n" + at_limit, 4096);
  EXPECT_EQ(out.events.size(), 2u);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].location, "row 2");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("32769 bytes"));
}

TEST(CsvParser, RowOfMillionsOfCommasIsRejectedWithoutKeepingItsCells) {
  CsvParser parser(kCsvImportTime);
  ParsedEvents out;
  parser.Feed("userId,event\n", out);
  const std::string commas(1 << 20, ',');
  for (int i = 0; i < 8; ++i) parser.Feed(commas, out);
  parser.Feed("\nu,E\n", out);
  parser.Finish(out);
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_EQ(out.rejections[0].location, "row 1");
  EXPECT_THAT(out.rejections[0].reason, HasSubstr("8388608 bytes"));
  EXPECT_LE(out.rejections[0].raw.size(), kMaxRejectionRawBytes);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(parser.rows(), 2u);
}

TEST(CsvParser, EmptyInputAndHeaderOnly) {
  Status status;
  ParsedEvents out = ParseCsv("", &status);
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(out.events.empty());
  out = ParseCsv("userId,event\n", &status);
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.rejections.empty());
}

TEST(CsvParser, AnIntegerBeyond64BitsStaysAString) {
  ParsedEvents out = ParseCsv(
      "userId,event,properties.big,properties.ok\n"
      "u,E,1180591620717411303424,18446744073709551615\n");
  ASSERT_EQ(out.events.size(), 1u) << Describe(out);
  EXPECT_EQ(out.events[0].properties,
            R"({"big":"1180591620717411303424","ok":18446744073709551615})");
}

TEST(CsvParser, SystemNamesIdsAndFutureTimesAreRefused) {
  ParsedEvents out = ParseCsv(
      "userId,event,messageId,timestamp\n"
      "u,Message Opened,,\n"
      "u,E,sp:j/1,\n"
      "u,E,,9999-12-31T00:00:00Z\n"
      "u,E,,2026-11-24T11:00:00Z\n");
  ASSERT_EQ(out.events.size(), 1u) << Describe(out);
  ASSERT_EQ(out.rejections.size(), 3u);
  EXPECT_EQ(out.rejections[0].field, "event");
  EXPECT_EQ(out.rejections[1].field, "messageId");
  EXPECT_EQ(out.rejections[2].field, "timestamp");
}

}  // namespace
}  // namespace signpost::ingest
