// Strong id types, so a profile id cannot be passed where a journey id is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

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

}  // namespace signpost

template <class T, class Tag>
struct std::hash<signpost::NamedType<T, Tag>> {
  size_t operator()(const signpost::NamedType<T, Tag>& v) const {
    return std::hash<T>{}(v.value());
  }
};
