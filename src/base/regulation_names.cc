// The names of the privacy enums of include/signpost/queries.h, both ways (Segment's spelling).
#include <fmt/format.h>

#include "signpost/queries.h"

namespace signpost {

const char* RegulationTypeName(RegulationType type) {
  switch (type) {
    case RegulationType::kDelete:
      return "DELETE";
    case RegulationType::kSuppress:
      return "SUPPRESS";
    case RegulationType::kSuppressWithDelete:
      return "SUPPRESS_WITH_DELETE";
    case RegulationType::kUnsuppress:
      return "UNSUPPRESS";
  }
  return "DELETE";
}

Result<RegulationType> ParseRegulationType(std::string_view text) {
  for (RegulationType t : {RegulationType::kDelete, RegulationType::kSuppress,
                           RegulationType::kSuppressWithDelete, RegulationType::kUnsuppress}) {
    if (text == RegulationTypeName(t)) return t;
  }
  return Status::InvalidArgument(fmt::format(
      "regulationType: '{}' is not a regulation; use DELETE, SUPPRESS, SUPPRESS_WITH_DELETE or "
      "UNSUPPRESS",
      text));
}

const char* SubjectTypeName(SubjectType type) {
  switch (type) {
    case SubjectType::kUserId:
      return "userId";
    case SubjectType::kAnonymousId:
      return "anonymousId";
    case SubjectType::kIdentity:
      return "identity";
  }
  return "identity";
}

Result<SubjectType> ParseSubjectType(std::string_view text) {
  for (SubjectType t : {SubjectType::kUserId, SubjectType::kAnonymousId, SubjectType::kIdentity}) {
    if (text == SubjectTypeName(t)) return t;
  }
  return Status::InvalidArgument(fmt::format(
      "subject.type: '{}' is not a subject type; use userId, anonymousId or identity", text));
}

}  // namespace signpost
