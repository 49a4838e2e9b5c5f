// EventService: the dead letters that carry people, for their export and their erasure; the
// events of erased people removed from the store and the index.
#include <cctype>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_set>

#include "engine/event_service.h"
#include "engine/journey_service.h"
#include "identity/traits.h"

namespace signpost::engine {

using nlohmann::json;

namespace {

// Dead letters read per page while looking for a person.
constexpr size_t kDeadLetterPage = 1000;

// What names the people in rejected input: their raw ids and every email they had as a trait.
struct PersonTerms {
  std::unordered_set<std::string> values;
  std::unordered_set<uint64_t> profiles;
};

PersonTerms PersonTermsOf(std::span<const Person> people, const identity::ProfileStore& profiles) {
  PersonTerms t;
  for (const Person& person : people) {
    t.profiles.insert(person.profile.value());
    for (const std::string& identity : person.identities) {
      const size_t colon = identity.find(':');
      std::string raw = colon == std::string::npos ? identity : identity.substr(colon + 1);
      if (!raw.empty()) t.values.insert(std::move(raw));
    }
    auto history = profiles.TraitHistory(person.profile);
    if (history.ok()) {
      for (const identity::TraitChange& c : *history) {
        if (c.name != "email") continue;
        json v = json::parse(c.value, nullptr, false);
        if (v.is_string() && !v.get<std::string>().empty()) t.values.insert(v.get<std::string>());
      }
    }
  }
  return t;
}

// Whether a character may continue an id or an email (so "u-1" is not found inside "u-10").
bool ContinuesId(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         c == '@' || c == '+' || static_cast<unsigned char>(c) >= 0x80;
}

// Whether `text` holds `term` as a whole token.
bool HoldsToken(std::string_view text, std::string_view term) {
  for (size_t at = text.find(term); at != std::string_view::npos; at = text.find(term, at + 1)) {
    const bool starts = at == 0 || !ContinuesId(text[at - 1]);
    const size_t end = at + term.size();
    if (starts && (end == text.size() || !ContinuesId(text[end]))) return true;
  }
  return false;
}

// Whether some string value anywhere in `v` (object keys excluded) is one of `values`.
bool HoldsValue(const json& v, const std::unordered_set<std::string>& values) {
  if (v.is_string()) return values.count(v.get_ref<const std::string&>()) != 0;
  if (v.is_structured()) {
    for (const auto& item : v)
      if (HoldsValue(item, values)) return true;
  }
  return false;
}

bool CarriesPerson(const store::DeadLetter& d, const PersonTerms& t) {
  const Rejection& r = d.rejection;
  const json raw = json::parse(r.raw, nullptr, false);
  if (d.source == kJourneysDeadLetterSource && raw.is_object() &&
      t.profiles.count(raw.value("profile", uint64_t{0})) != 0)
    return true;
  if (!raw.is_discarded() && HoldsValue(raw, t.values)) return true;
  for (const std::string& term : t.values) {
    if ((raw.is_discarded() && HoldsToken(r.raw, term)) || HoldsToken(r.location, term) ||
        HoldsToken(r.field, term) || HoldsToken(r.reason, term))
      return true;
  }
  return false;
}

}  // namespace

Result<std::vector<DeadLetterInfo>> EventService::DeadLettersOf(const Person& person) const {
  return DeadLettersOf(std::span<const Person>(&person, 1));
}

Result<std::vector<DeadLetterInfo>> EventService::DeadLettersOf(
    std::span<const Person> people) const {
  const PersonTerms terms = PersonTermsOf(people, profiles_);
  std::vector<DeadLetterInfo> out;
  uint64_t after = 0;
  for (;;) {
    SP_ASSIGN_OR_RETURN(auto page, store_.dead_letters().List(after, kDeadLetterPage));
    for (const store::DeadLetter& d : page) {
      if (CarriesPerson(d, terms)) out.push_back(DeadLetterInfoOf(d));
    }
    if (page.size() < kDeadLetterPage) break;
    after = page.back().id;
  }
  return out;
}

Result<PersonForgotten> EventService::ForgetDeadLetters(const Person& person) {
  return ForgetDeadLetters(std::span<const Person>(&person, 1));
}

Result<PersonForgotten> EventService::ForgetDeadLetters(std::span<const Person> people) {
  SP_ASSIGN_OR_RETURN(auto letters, DeadLettersOf(people));
  std::vector<uint64_t> ids;
  for (const DeadLetterInfo& d : letters) ids.push_back(d.id);
  PersonForgotten out;
  SP_ASSIGN_OR_RETURN(out.dead_letters, store_.dead_letters().Delete(ids));
  return out;
}

Status EventService::RemoveEventsOf(std::vector<uint64_t> seqs,
                                    std::span<const ProfileId> profiles) {
  MutexLock write(write_mu_);  // as RemoveEvents: no commit interleaves
  SP_RETURN_IF_ERROR(store_.EraseEvents(seqs, {}, nullptr));
  if (index_loaded_) {
    WriterLock lock(index_mu_);
    index_.RemoveEvents(seqs, profiles);
  }
  return Status::Ok();
}

}  // namespace signpost::engine
