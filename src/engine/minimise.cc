// Minimiser: property allow/deny lists, sensitive properties, IP truncation, dead-letter raw-body
// expiry.
#include "engine/minimise.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/json_text.h"
#include "delivery/signing.h"
#include "rules/property_path.h"
#include "store/folder_secret.h"
#include "store/store.h"

namespace signpost::engine {

namespace {

using Json = nlohmann::ordered_json;
using rules::PropertyPath;
using rules::PropertyScope;

// Where the hashing key is kept (meta column family).
constexpr std::string_view kHashKeyRecord = "privacy.hash_key";
constexpr std::string_view kHashPrefix = "hmac:";
constexpr size_t kHashHexChars = 32;
// The sweep of dead letters runs at most this often (of the time it is given).
constexpr DurationMs kSweepEvery = kHourMs;

PropertyPath CompiledPath(const std::string& text) {
  auto p = rules::ParsePropertyPath(text);
  return p.ok() ? std::move(p).value() : PropertyPath{};  // checked when the settings were read
}

// The event's three scope objects, each parsed on first use and written back when changed.
class EventScopes {
 public:
  explicit EventScopes(Event& e) : e_(e) {}

  std::string& Text(PropertyScope scope) {
    switch (scope) {
      case PropertyScope::kContext:
        return e_.context;
      case PropertyScope::kTraits:
        return e_.traits;
      case PropertyScope::kProperties:
        break;
    }
    return e_.properties;
  }
  // The scope's object; nullptr when it is empty or not an object.
  Json* Object(PropertyScope scope) {
    const size_t i = static_cast<size_t>(scope);
    if (!parsed_[i]) {
      parsed_[i] = true;
      const std::string& text = Text(scope);
      if (text.size() > 2) {
        Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (j.is_object()) objects_[i] = std::move(j);
      }
    }
    return objects_[i] ? &*objects_[i] : nullptr;
  }
  void Changed(PropertyScope scope) { dirty_[static_cast<size_t>(scope)] = true; }
  bool Parsed(PropertyScope scope) const { return parsed_[static_cast<size_t>(scope)]; }
  // Whether the scope's text may hold `path` (its last key appears as a JSON key), before parsing.
  bool MayHold(const PropertyPath& path) {
    if (path.keys.empty()) return false;
    const std::string_view text = Text(path.scope);
    return text.size() > 2 && JsonTextMayHoldKey(text, path.keys.back());
  }
  void Flush() {
    for (size_t i = 0; i < 3; ++i) {
      if (!dirty_[i]) continue;
      Text(static_cast<PropertyScope>(i)) =
          objects_[i]->dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }

 private:
  Event& e_;
  std::array<bool, 3> parsed_{}, dirty_{};
  std::array<std::optional<Json>, 3> objects_;
};

// The text of top-level key `key`'s value in the JSON object `json` when it is a string without
// escapes, quotes included, as [begin, end); {npos, npos} otherwise (absent, another type, or text
// this scan does not follow, such as spaces around ':'). One pass, no allocation: the fast path of
// the default IP truncation, which would otherwise parse every event's context.
std::pair<size_t, size_t> TopLevelString(std::string_view json, std::string_view key) {
  constexpr std::pair<size_t, size_t> kNone{std::string_view::npos, std::string_view::npos};
  auto string_end = [&](size_t open) {  // the closing quote of the string opened at `open`
    size_t j = open + 1;
    while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
    return j < json.size() ? j : std::string_view::npos;
  };
  int depth = 0;
  bool at_key = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      const size_t end = string_end(i);
      if (end == std::string_view::npos) return kNone;
      if (depth == 1 && at_key) {
        at_key = false;
        if (end + 1 >= json.size() || json[end + 1] != ':') return kNone;
        if (json.substr(i + 1, end - i - 1) == key) {
          const size_t v = end + 2;
          if (v >= json.size() || json[v] != '"') return kNone;
          const size_t v_end = string_end(v);
          if (v_end == std::string_view::npos ||
              json.substr(v, v_end - v).find('\\') != std::string_view::npos)
            return kNone;
          return {v, v_end + 1};
        }
        i = end + 1;  // the ':'
        continue;
      }
      i = end;
    } else if (c == '{' || c == '[') {
      ++depth;
      at_key = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      at_key = true;
    }
  }
  return kNone;
}

Json* FindAt(Json& root, const std::vector<std::string>& keys) {
  Json* node = &root;
  for (const std::string& k : keys) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(k);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

bool EraseAt(Json& root, const std::vector<std::string>& keys) {
  Json* parent = &root;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    if (!parent->is_object()) return false;
    auto it = parent->find(keys[i]);
    if (it == parent->end()) return false;
    parent = &*it;
  }
  return parent->is_object() && parent->erase(keys.back()) > 0;
}

void CopyAt(const Json& from, Json& to, const std::vector<std::string>& keys) {
  const Json* src = &from;
  for (const std::string& k : keys) {
    if (!src->is_object()) return;
    auto it = src->find(k);
    if (it == src->end()) return;
    src = &*it;
  }
  Json* dst = &to;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    if (!(*dst)[keys[i]].is_object()) (*dst)[keys[i]] = Json::object();
    dst = &(*dst)[keys[i]];
  }
  (*dst)[keys.back()] = *src;
}

bool IsKeyedHash(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.size() == kHashPrefix.size() + kHashHexChars && s.rfind(kHashPrefix, 0) == 0 &&
         s.find_first_not_of("0123456789abcdef", kHashPrefix.size()) == std::string::npos;
}

}  // namespace

struct Minimiser::Rules {
  struct Source {
    std::string source;  // "*" = every event
    std::vector<PropertyPath> allow, deny;
  };
  struct Sensitive {
    PropertyPath path;
    SensitiveAction action;
  };
  std::vector<Source> sources;
  std::vector<Sensitive> sensitive;
  IpPolicy ip = IpPolicy::kTruncate;
  DurationMs raw_body_for = 0;
  bool by_library = false;  // some source rule names a library (context.library.name is read)

  explicit Rules(const PrivacySettings& s) : ip(s.ip), raw_body_for(s.dead_letter_raw_body_for) {
    for (const SourceRule& r : s.sources) {
      Source src{r.source, {}, {}};
      for (const std::string& p : r.allow) src.allow.push_back(CompiledPath(p));
      for (const std::string& p : r.deny) src.deny.push_back(CompiledPath(p));
      by_library = by_library || r.source != "*";
      sources.push_back(std::move(src));
    }
    for (const SensitiveProperty& p : s.sensitive)
      sensitive.push_back({CompiledPath(p.path), p.action});
  }
};

// ---- pure pieces
// ---------------------------------------------------------------------------------

std::string TruncateIp(std::string_view ip) {
  std::string text(ip);
  char out[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    reinterpret_cast<unsigned char*>(&v4.s_addr)[3] = 0;
    return inet_ntop(AF_INET, &v4, out, sizeof(out)) ? std::string(out) : std::string();
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return "";
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, v6.s6_addr)) {  // ::ffff:a.b.c.d is an IPv4 address
    std::memcpy(&v4.s_addr, v6.s6_addr + 12, 4);
    reinterpret_cast<unsigned char*>(&v4.s_addr)[3] = 0;
    return inet_ntop(AF_INET, &v4, out, sizeof(out)) ? std::string(out) : std::string();
  }
  std::fill(v6.s6_addr + 6, v6.s6_addr + 16, 0);
  return inet_ntop(AF_INET6, &v6, out, sizeof(out)) ? std::string(out) : std::string();
}

std::string KeyedHash(std::string_view secret, std::string_view value) {
  const std::string mac = delivery::HmacSha256(secret, value);
  std::string out(kHashPrefix);
  out += delivery::Hex(std::string_view(mac).substr(0, kHashHexChars / 2));
  return out;
}

// ---- the minimiser
// -------------------------------------------------------------------------------

Result<std::unique_ptr<Minimiser>> Minimiser::Open(store::Store& store,
                                                   const PrivacySettings& settings) {
  SP_ASSIGN_OR_RETURN(std::string secret,
                      store::GetOrCreateSecret(store.db(), store::Cf::kMeta, kHashKeyRecord));
  return std::make_unique<Minimiser>(std::move(secret), settings, &store);
}

Minimiser::Minimiser(std::string secret, const PrivacySettings& settings, store::Store* store)
    : secret_(std::move(secret)), store_(store), rules_(std::make_shared<const Rules>(settings)) {}

Minimiser::~Minimiser() = default;

void Minimiser::Configure(const PrivacySettings& settings) {
  auto rules = std::make_shared<const Rules>(settings);
  MutexLock lock(mu_);
  rules_ = std::move(rules);
}

std::shared_ptr<const Minimiser::Rules> Minimiser::Snapshot() const {
  MutexLock lock(mu_);
  return rules_;
}

void Minimiser::Apply(std::vector<Event>& events) const {
  static const PropertyPath kLibraryPath{PropertyScope::kContext, {"library"}, ""};
  static const PropertyPath kIpPath{PropertyScope::kContext, {"ip"}, ""};
  const std::shared_ptr<const Rules> rules = Snapshot();
  const bool nothing =
      rules->sources.empty() && rules->sensitive.empty() && rules->ip == IpPolicy::kKeep;
  if (nothing) return;
  for (Event& e : events) {
    if (e.message_id.rfind("sp:", 0) == 0) continue;  // the engine's own
    EventScopes scopes(e);
    // 1. The lists of the event's source.
    std::string library;
    if (rules->by_library && scopes.MayHold(kLibraryPath)) {
      if (Json* context = scopes.Object(PropertyScope::kContext)) {
        const Json* name = FindAt(*context, {"library", "name"});
        if (name && name->is_string()) library = name->get<std::string>();
      }
    }
    for (const Rules::Source& src : rules->sources) {
      if (src.source != "*" && src.source != library) continue;
      for (PropertyScope scope :
           {PropertyScope::kProperties, PropertyScope::kContext, PropertyScope::kTraits}) {
        bool named = false;
        for (const PropertyPath& p : src.allow) named = named || p.scope == scope;
        if (!named) continue;
        Json* object = scopes.Object(scope);
        if (object == nullptr) continue;
        Json kept = Json::object();
        for (const PropertyPath& p : src.allow) {
          if (p.scope == scope) CopyAt(*object, kept, p.keys);
        }
        if (kept != *object) {
          *object = std::move(kept);
          scopes.Changed(scope);
        }
      }
      for (const PropertyPath& p : src.deny) {
        if (!scopes.MayHold(p)) continue;
        Json* object = scopes.Object(p.scope);
        if (object != nullptr && EraseAt(*object, p.keys)) scopes.Changed(p.scope);
      }
    }
    // 2. Sensitive properties.
    for (const Rules::Sensitive& s : rules->sensitive) {
      if (!scopes.MayHold(s.path)) continue;
      Json* object = scopes.Object(s.path.scope);
      if (object == nullptr) continue;
      if (s.action == SensitiveAction::kDrop) {
        if (EraseAt(*object, s.path.keys)) scopes.Changed(s.path.scope);
        continue;
      }
      Json* value = FindAt(*object, s.path.keys);
      if (value == nullptr || value->is_null() || IsKeyedHash(*value)) continue;
      const std::string text = value->is_string()
                                   ? value->get<std::string>()
                                   : value->dump(-1, ' ', false, Json::error_handler_t::replace);
      *value = KeyedHash(secret_, text);
      scopes.Changed(s.path.scope);
    }
    // 3. context.ip.
    if (rules->ip != IpPolicy::kKeep && scopes.MayHold(kIpPath)) {
      if (rules->ip == IpPolicy::kTruncate && !scopes.Parsed(PropertyScope::kContext)) {
        // Fast path: the address rewritten in the text, when it is a plain top-level string.
        std::string& text = scopes.Text(PropertyScope::kContext);
        const auto [begin, end] = TopLevelString(text, "ip");
        if (begin != std::string::npos) {
          const std::string truncated =
              TruncateIp(std::string_view(text).substr(begin + 1, end - begin - 2));
          if (!truncated.empty()) {
            text.replace(begin, end - begin, "\"" + truncated + "\"");
            scopes.Flush();
            continue;
          }
        }
      }
      Json* context = scopes.Object(PropertyScope::kContext);
      Json* ip = context ? FindAt(*context, {"ip"}) : nullptr;
      if (ip != nullptr) {
        const std::string truncated = rules->ip == IpPolicy::kTruncate && ip->is_string()
                                          ? TruncateIp(ip->get<std::string>())
                                          : std::string();
        if (truncated.empty()) {
          context->erase("ip");  // dropped, or not an address (it could be anything)
        } else {
          *ip = truncated;
        }
        scopes.Changed(PropertyScope::kContext);
      }
    }
    scopes.Flush();
  }
}

bool Minimiser::RawBodyExpired(TimeMs at, TimeMs now) const {
  const DurationMs keep = Snapshot()->raw_body_for;
  return keep > 0 && at + keep <= now;
}

Status Minimiser::SweepDeadLetters(TimeMs now, bool force) {
  if (store_ == nullptr) return Status::Ok();
  const DurationMs keep = Snapshot()->raw_body_for;
  if (keep <= 0) return Status::Ok();
  MutexLock lock(sweep_mu_);
  if (swept_ && !force && now < last_sweep_ + kSweepEvery) return Status::Ok();
  swept_ = true;
  last_sweep_ = now;
  // Dead letters are numbered in the order they were kept, so the expired ones come first: stop at
  // the first one still inside the period.
  for (;;) {
    SP_ASSIGN_OR_RETURN(auto page, store_->dead_letters().List(swept_through_, 1000));
    if (page.empty()) return Status::Ok();
    std::vector<uint64_t> expired;
    bool done = false;
    for (const store::DeadLetter& d : page) {
      if (d.at + keep > now) {
        done = true;
        break;
      }
      if (!d.rejection.raw.empty()) expired.push_back(d.id);
      swept_through_ = d.id;
    }
    if (!expired.empty())
      SP_RETURN_IF_ERROR(store_->dead_letters().RemoveRawBodies(expired).status());
    if (done) return Status::Ok();
  }
}

}  // namespace signpost::engine
