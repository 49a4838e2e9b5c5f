#include "rules/where.h"

namespace signpost::rules {

namespace {

Status BadWhere(const std::string& field, const std::string& what) {
  return Status::InvalidArgument(field + ": " + what);
}

}  // namespace

Result<std::string> ScalarAt(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) return BadWhere(field, "expected a single value (text or number)");
  return node.Scalar();
}

Status KeysAllowed(const YAML::Node& map, const std::string& field,
                   const std::set<std::string>& allowed, bool allow_ops) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (allowed.count(key) != 0) continue;
    if (allow_ops && ParseOp(key).has_value()) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return BadWhere(field + "." + key, "unknown field; use one of " + list);
  }
  return Status::Ok();
}

// One condition from an operator name and its operand node.
Result<Condition> ParseCondition(const PropertyPath& path, const std::string& op_text,
                                 const YAML::Node& operand, const std::string& field) {
  std::optional<Op> op = ParseOp(op_text);
  if (!op) {
    return BadWhere(field, "unknown operator '" + op_text + "'; use one of " + OperatorList());
  }
  Condition c;
  c.path = path;
  c.op = *op;
  if (*op == Op::kIn) {
    if (!operand.IsSequence()) return BadWhere(field + ".in", "expected a list, e.g. [link, code]");
    for (size_t i = 0; i < operand.size(); ++i) {
      SP_ASSIGN_OR_RETURN(std::string v,
                          ScalarAt(operand[i], field + ".in[" + std::to_string(i) + "]"));
      c.values.push_back(Literal::Of(v));
    }
    return c;
  }
  SP_ASSIGN_OR_RETURN(std::string v, ScalarAt(operand, field + "." + op_text));
  if (*op == Op::kExists) {
    if (v != "true" && v != "false") return BadWhere(field + ".exists", "expected true or false");
    c.exists = v == "true";
    return c;
  }
  if (*op == Op::kRegex) {
    SP_ASSIGN_OR_RETURN(c.regex, CompileRegex(v, field + "." + op_text));
  }
  c.values.push_back(Literal::Of(v));
  return c;
}

// `where: { path: value | [values] | { op: operand, ... } }`
Status ParseWhere(const YAML::Node& where, const std::string& field, std::vector<Condition>* out) {
  if (!where.IsMap()) return BadWhere(field, "expected a map of property path to condition");
  for (const auto& kv : where) {
    std::string key = kv.first.Scalar();
    std::string f = field + "." + key;
    auto path = ParsePropertyPath(key);
    if (!path.ok()) return BadWhere(f, path.status().message());
    const YAML::Node& cond = kv.second;
    if (cond.IsMap()) {
      for (const auto& op : cond) {
        SP_ASSIGN_OR_RETURN(Condition c, ParseCondition(*path, op.first.Scalar(), op.second, f));
        out->push_back(std::move(c));
      }
    } else if (cond.IsSequence()) {
      SP_ASSIGN_OR_RETURN(Condition c, ParseCondition(*path, "in", cond, f));
      out->push_back(std::move(c));
    } else {
      SP_ASSIGN_OR_RETURN(Condition c, ParseCondition(*path, "=", cond, f));
      out->push_back(std::move(c));
    }
  }
  return Status::Ok();
}

Result<EventMatcher> ParseMatcher(const YAML::Node& node, const std::string& field) {
  if (!node.IsMap()) return BadWhere(field, "expected { event: <name>, where: {...} }");
  SP_RETURN_IF_ERROR(KeysAllowed(node, field, {"event", "where"}, false));
  EventMatcher m;
  if (!node["event"])
    return BadWhere(field + ".event", "missing; name the event, e.g. event: Signed Up");
  SP_ASSIGN_OR_RETURN(m.event, ScalarAt(node["event"], field + ".event"));
  if (m.event.empty()) return BadWhere(field + ".event", "is empty; name the event");
  if (node["where"]) SP_RETURN_IF_ERROR(ParseWhere(node["where"], field + ".where", &m.where));
  return m;
}

}  // namespace signpost::rules
