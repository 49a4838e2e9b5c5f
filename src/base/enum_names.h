// EnumName: one table per enum class of the value each name stands for, so the name written at the
// edges (JSON, YAML, store keys) and the parse of that name come from the same lines.
//
//   inline constexpr EnumName<Color> kColorNames[] = {{Color::kRed, "red"}, {Color::kBlue,
//   "blue"}}; NameIn(kColorNames, Color::kRed) == "red";  ValueIn(kColorNames, "blue") ==
//   Color::kBlue
//
// Thread-safety: constexpr tables and pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace signpost {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value` in `table`; "" when the table misses it (a table should list every value).
template <class E, size_t N>
constexpr std::string_view NameIn(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& e : table) {
    if (e.value == value) return e.name;
  }
  return {};
}

// The value named exactly `name` in `table`; nullopt for any other text.
template <class E, size_t N>
constexpr std::optional<E> ValueIn(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

}  // namespace signpost
