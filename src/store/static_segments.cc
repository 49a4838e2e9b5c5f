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

std::string ListBody(const std::vector<std::string>& identities) {
  std::string body;
  std::unordered_set<std::string_view> seen;
  for (const auto& identity : identities) {
    if (seen.insert(identity).second) PutLengthPrefixed(body, identity);
  }
  return body;
}

}  // namespace

Result<uint64_t> StaticSegments::Put(std::string_view name,
                                     const std::vector<std::string>& identities,
                                     std::string_view note, TimeMs at) {
  if (name.empty()) return Status::InvalidArgument("a static segment needs a name");
  return records_.Put(kKind, name, ListBody(identities), note, at);
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

Result<std::vector<StaticSegment>> StaticSegments::Holding(
    const std::vector<std::string>& identities) const {
  const std::unordered_set<std::string_view> wanted(identities.begin(), identities.end());
  std::vector<StaticSegment> out;
  SP_ASSIGN_OR_RETURN(auto lists, records_.List(kKind));
  for (const auto& list : lists) {
    SP_ASSIGN_OR_RETURN(auto history, records_.History(kKind, list.id));
    for (const auto& r : history) {
      SP_ASSIGN_OR_RETURN(auto s, FromRecord(r));
      for (const auto& identity : s.identities) {
        if (wanted.count(identity) == 0) continue;
        out.push_back(std::move(s));
        break;
      }
    }
  }
  return out;
}

Result<std::vector<StaticSegment>> StaticSegments::Forget(
    const std::vector<std::string>& identities) {
  SP_ASSIGN_OR_RETURN(auto holding, Holding(identities));
  const std::unordered_set<std::string_view> gone(identities.begin(), identities.end());
  for (auto& s : holding) {
    std::erase_if(s.identities, [&](const std::string& i) { return gone.count(i) != 0; });
    SP_RETURN_IF_ERROR(records_.ReplaceBody(kKind, s.name, s.version, ListBody(s.identities)));
  }
  return holding;
}

}  // namespace signpost::store
