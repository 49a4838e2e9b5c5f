// JSON text scanned without building a document: a batch body split into its items, and the first
// fault in one JSON value named by its field path. They let one bad item be refused alone where a
// document parser (simdjson) refuses the whole text: invalid UTF-8, a lone surrogate escape, a
// number out of range, an integer beyond 64 bits, nesting too deep.
// Both functions loop over the bytes once with an explicit stack (no recursion on input depth) and
// keep no state: thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/event_rules.h"

namespace signpost::ingest {

// simdjson's default maximum depth: deeper values are refused, naming where they start.
constexpr size_t kMaxJsonDepth = 1024;

// A batch body `{..., "batch": [item, item, ...], ...}` cut at its item boundaries.
struct BatchSplit {
  std::string shell;                    // the body with the batch array emptied ("batch":[])
  std::vector<std::string_view> items;  // each item's text (views into the body), input order
};

// Splits `body` (one JSON object with a top-level "batch" array) by structure only: strings
// (with their escapes) and bracket nesting are followed, but neither string contents nor numbers
// nor bracket matching are checked — each item is parsed and judged on its own afterwards.
// nullopt when the body is not shaped like an object with a "batch" array (truncated, text after
// the object, unbalanced, no `batch` array): the caller refuses the whole request then.
std::optional<BatchSplit> SplitBatch(std::string_view body);

struct JsonFault {
  ItemError error;
  bool syntax = false;  // a grammar error (not JSON at all) rather than a refused value
};

// The first thing in `text` (one JSON value) that a strict parser refuses, as the field path where
// it is ("properties.name", "properties.items[2]", "" for the item itself) and a reason saying what
// and how to fix it: invalid UTF-8 (with its byte offset in `text`), a lone or invalid \u escape,
// a control character in a string, a number beyond double range, an integer beyond 64 bits, depth
// over kMaxJsonDepth, or a syntax error (with its byte offset). nullopt when it finds none.
std::optional<JsonFault> FindJsonFault(std::string_view text);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so it can be shown in
// a JSON reply (the dead-letter listing, a reason quoting input). Valid text comes back unchanged.
std::string ToValidUtf8(std::string_view text);

}  // namespace signpost::ingest
