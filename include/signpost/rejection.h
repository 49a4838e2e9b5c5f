// A rejected input item: why it was refused, kept verbatim in the dead-letter store so it can
// be fixed and re-imported.
#pragma once

#include <string>

namespace signpost {

struct Rejection {
  std::string location;  // where it was: "batch[3]", "line 17", "row 4", "body"
  std::string field;  // the offending field as a path, e.g. "userId", "properties"; "" = whole item
  std::string reason;  // what was wrong and how to fix it, one sentence
  std::string raw;     // the item's raw text, as received (may be truncated to 64 KiB)
};

}  // namespace signpost
