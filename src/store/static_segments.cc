#include "store/static_segments.h"

#include <fmt/format.h>

#include <unordered_set>

#include "store/coding.h"

namespace signpost::store {
namespace {

constexpr std::string_view kKind = "static_segment";

Result<StaticSegment> FromRecord(const VersionedRecord& r) {
  StaticSegment s{r.id, r.version, {}, r.note, r.at};
  std::string_view in = r.body;
  while (!in.empty()) {
    std::string_view identity;
    if (!GetLengthPrefixed(in, identity)) {
      return Status::Corruption(fmt::format("static segment '{}' cannot be decoded", r.id));
    }
    s.identities.emplace_back(identity);
  }
  return s;
}

}  // namespace

Result<uint64_t> StaticSegments::Put(std::string_view name,
                                     const std::vector<std::string>& identities,
                                     std::string_view note, TimeMs at) {
  if (name.empty()) return Status::InvalidArgument("a static segment needs a name");
  std::string body;
  std::unordered_set<std::string_view> seen;
  for (const auto& identity : identities) {
    if (seen.insert(identity).second) PutLengthPrefixed(body, identity);
  }
  return records_.Put(kKind, name, body, note, at);
}

Result<StaticSegment> StaticSegments::Get(std::string_view name, uint64_t version) const {
  auto record = records_.Get(kKind, name, version);
  if (!record.ok()) {
    if (record.status().code() == Code::kNotFound) {
      return Status::NotFound(
          version == 0 ? fmt::format("no static segment '{}'", name)
                       : fmt::format("no version {} of static segment '{}'", version, name));
    }
    return record.status();
  }
  return FromRecord(*record);
}

Result<std::vector<StaticSegment>> StaticSegments::List() const {
  SP_ASSIGN_OR_RETURN(auto records, records_.List(kKind));
  std::vector<StaticSegment> out;
  for (const auto& r : records) {
    SP_ASSIGN_OR_RETURN(auto s, FromRecord(r));
    out.push_back(std::move(s));
  }
  return out;
}

Status StaticSegments::Delete(std::string_view name) {
  Status s = records_.Delete(kKind, name);
  if (s.code() == Code::kNotFound)
    return Status::NotFound(fmt::format("no static segment '{}'", name));
  return s;
}

}  // namespace signpost::store
