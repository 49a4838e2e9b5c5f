// Strong id types, so a profile id cannot be passed where a journey id is expected, nor a segment
// id where a journey id is. Plain values: thread-safe to read, like the T they wrap.
#pragma once

#include <fmt/core.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace signpost {

// A value of type T tagged with Tag; compares and hashes like T, converts only explicitly.
template <class T, class Tag>
class NamedType {
 public:
  NamedType() = default;
  explicit NamedType(T v) : value_(std::move(v)) {}
  const T& value() const { return value_; }
  auto operator<=>(const NamedType&) const = default;

 private:
  T value_{};
};

// A profile: the people-level id behind one or more identities. Assigned by the store,
// dense from 1; stable until the profile is merged into another.
using ProfileId = NamedType<uint64_t, struct ProfileIdTag>;
// The order in which the store accepted an event: strictly increasing, never reused.
using EventSeq = NamedType<uint64_t, struct EventSeqTag>;

// A text id tagged with Tag (the id a definition is written with). Built only explicitly from text;
// two ids of different tags neither convert nor compare. It compares with plain text
// (std::string_view) so ordered maps keyed by it (with std::less<>) and unordered ones (with
// StringIdHash and std::equal_to<>) find an id from the text without building one. Prints through
// fmt and operator<< as its text.
template <class Tag>
class StringId {
 public:
  StringId() = default;
  explicit StringId(std::string v) : value_(std::move(v)) {}
  explicit StringId(std::string_view v) : value_(v) {}
  explicit StringId(const char* v) : value_(v) {}
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  auto operator<=>(const StringId&) const = default;
  bool operator==(const StringId&) const = default;
  friend bool operator==(const StringId& a, std::string_view b) { return a.value_ == b; }
  friend std::strong_ordering operator<=>(const StringId& a, std::string_view b) {
    return a.value_.compare(b) <=> 0;
  }
  friend std::ostream& operator<<(std::ostream& os, const StringId& id) { return os << id.value_; }

 private:
  std::string value_;
};

// A journey definition's id (`id:` of a `kind: journey` document).
using JourneyId = StringId<struct JourneyIdTag>;
// A segment's id: a rule segment's `id:` or a static list's name.
using SegmentId = StringId<struct SegmentIdTag>;
// A saved funnel's id (`id:` of a `kind: funnel` document).
using FunnelId = StringId<struct FunnelIdTag>;

// The hash of an id's text; transparent, so an unordered container keyed by a StringId (with
// std::equal_to<>) is searched with a std::string_view without a copy. Equal to std::hash of the
// id.
struct StringIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  template <class Tag>
  size_t operator()(const StringId<Tag>& id) const {
    return (*this)(std::string_view(id.value()));
  }
};

// An id in JSON is its text (nlohmann::json finds these through ADL; the template keeps this header
// free of the JSON library).
template <class BasicJson, class Tag>
void to_json(BasicJson& j, const StringId<Tag>& id) {
  j = id.value();
}
template <class BasicJson, class Tag>
void from_json(const BasicJson& j, StringId<Tag>& id) {
  id = StringId<Tag>(j.template get<std::string>());
}

}  // namespace signpost

template <class T, class Tag>
struct std::hash<signpost::NamedType<T, Tag>> {
  size_t operator()(const signpost::NamedType<T, Tag>& v) const {
    return std::hash<T>{}(v.value());
  }
};

template <class Tag>
struct std::hash<signpost::StringId<Tag>> {
  size_t operator()(const signpost::StringId<Tag>& id) const {
    return signpost::StringIdHash{}(id);
  }
};

template <class Tag>
struct fmt::formatter<signpost::StringId<Tag>> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const signpost::StringId<Tag>& id, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(id.value(), ctx);
  }
};
