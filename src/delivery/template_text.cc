#include "delivery/template_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace signpost::delivery {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '$';
}

// "line L, column C" of byte `offset` in `text` (both 1-based).
std::string Where(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

// The value at `path[i..]` in `node`: a flat key made of the remaining names wins over nesting.
const nlohmann::json* Find(const nlohmann::json& node, const std::vector<std::string>& path,
                           size_t i) {
  if (i == path.size()) return &node;
  if (!node.is_object()) return nullptr;
  std::string flat = path[i];
  for (size_t j = i + 1; j < path.size(); ++j) flat += "." + path[j];
  if (auto it = node.find(flat); it != node.end()) return &*it;
  auto it = node.find(path[i]);
  if (it == node.end()) return nullptr;
  return Find(*it, path, i + 1);
}

std::string ValueText(const nlohmann::json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<TemplateText> TemplateText::Parse(std::string_view text, std::string_view field,
                                         const std::vector<std::string_view>& roots) {
  TemplateText t;
  size_t pos = 0;
  auto bad = [&](size_t at, const std::string& what) {
    return Status::InvalidArgument(fmt::format("{}: {} ({})", field, what, Where(text, at)));
  };
  while (pos <= text.size()) {
    size_t open = text.find("{{", pos);
    Part part;
    if (open == std::string_view::npos) {
      part.literal = std::string(text.substr(pos));
      t.parts_.push_back(std::move(part));
      break;
    }
    part.literal = std::string(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    size_t next_open = text.find("{{", open + 2);
    if (close == std::string_view::npos ||
        (next_open != std::string_view::npos && next_open < close))
      return bad(open, "`{{` is not closed; end the placeholder with `}}`");
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::string_view expr = inner, filter;
    if (size_t bar = inner.find('|'); bar != std::string_view::npos) {
      expr = inner.substr(0, bar);
      filter = Trim(inner.substr(bar + 1));
    }
    expr = Trim(expr);
    if (expr.empty())
      return bad(open, "empty placeholder; write a value such as {{traits.first_name}}");
    size_t start = 0;
    while (start <= expr.size()) {
      size_t dot = expr.find('.', start);
      std::string_view name =
          expr.substr(start, dot == std::string_view::npos ? expr.npos : dot - start);
      if (name.empty() || !std::all_of(name.begin(), name.end(), NameChar))
        return bad(open,
                   fmt::format("`{}` is not a value path; use names of letters, digits, _ and "
                               "- joined by dots, e.g. traits.first_name",
                               expr));
      part.path.emplace_back(name);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (std::find(roots.begin(), roots.end(), part.path[0]) == roots.end()) {
      std::string list;
      for (std::string_view r : roots) list += (list.empty() ? "" : ", ") + std::string(r);
      return bad(open, fmt::format("unknown value `{}`; a placeholder starts with one of {}",
                                   part.path[0], list));
    }
    if (part.path[0] == "funnel" &&
        (part.path.size() != 3 || std::find(kFunnelFields.begin(), kFunnelFields.end(),
                                            part.path[2]) == kFunnelFields.end()))
      return bad(open, fmt::format("`{}` is not a funnel value; write funnel.<funnel id>.<field>, "
                                   "the field one of last_step, last_step_name, next_step, "
                                   "next_step_name, e.g. {{{{funnel.onboarding.next_step_name}}}}",
                                   expr));
    if (part.path[0] == "next_best_action" && part.path.size() != 2)
      return bad(open, fmt::format("`{}` is not a next best action value; write "
                                   "next_best_action.<funnel id>, e.g. "
                                   "{{{{next_best_action.onboarding}}}}",
                                   expr));
    if (!filter.empty()) {
      constexpr std::string_view kDefault = "default:";
      if (filter.substr(0, kDefault.size()) != kDefault)
        return bad(open, fmt::format("unknown filter `{}`; the only filter is `default: \"text\"`",
                                     filter));
      std::string_view arg = Trim(filter.substr(kDefault.size()));
      if (arg.size() >= 2 && (arg.front() == '"' || arg.front() == '\'') &&
          arg.back() == arg.front()) {
        arg = arg.substr(1, arg.size() - 2);
      } else if (arg.empty() || arg.find_first_of("\"' ") != std::string_view::npos) {
        return bad(
            open,
            "`default:` needs a value in quotes, e.g. {{traits.first_name | default: \"there\"}}");
      }
      part.fallback = std::string(arg);
    }
    t.parts_.push_back(std::move(part));
    pos = close + 2;
  }
  return t;
}

std::string TemplateText::Render(const nlohmann::json& vars, Escape escape) const {
  std::string out;
  for (const Part& p : parts_) {
    out += p.literal;
    if (p.path.empty()) continue;
    std::string value = ValueText(Find(vars, p.path, 0));
    if (value.empty() && p.fallback) value = *p.fallback;
    out += escape == Escape::kHtml ? EscapeHtml(value) : value;
  }
  return out;
}

std::vector<std::string> TemplateText::FunnelIds() const {
  std::vector<std::string> out;
  for (const Part& p : parts_) {
    std::string id;
    if (p.path.size() == 3 && p.path[0] == "funnel") id = p.path[1];
    if (p.path.size() == 2 && p.path[0] == "next_best_action")
      id = std::string(kNextBestActionRef) + p.path[1];
    if (!id.empty() && std::find(out.begin(), out.end(), id) == out.end())
      out.push_back(std::move(id));
  }
  return out;
}

std::vector<std::string> FunnelRefs(std::string_view text) {
  if (text.find("{{") == std::string_view::npos) return {};
  auto t = TemplateText::Parse(text, "text");
  return t.ok() ? t->FunnelIds() : std::vector<std::string>{};
}

bool TemplateText::IsLiteral() const {
  return std::all_of(parts_.begin(), parts_.end(), [](const Part& p) { return p.path.empty(); });
}

}  // namespace signpost::delivery
