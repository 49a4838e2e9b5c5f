#include "analytics/bulk_load.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "analytics/event_index.h"
#include "base/parallel.h"

namespace signpost::analytics {

namespace {

size_t QuickHash(std::string_view s) {
  uint64_t head = 0, tail = 0;
  const size_t n = std::min<size_t>(8, s.size());
  std::memcpy(&head, s.data(), n);
  std::memcpy(&tail, s.data() + s.size() - n, n);
  uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail + s.size()) * 0xC2B2AE3D27D4EB4Full;
  return static_cast<size_t>(h >> 54);  // 10 bits
}

struct BulkSortRow {
  TimeMs ts;
  uint64_t seq;
  uint32_t name;
  uint8_t type;
  bool operator<(const BulkSortRow& o) const { return ts != o.ts ? ts < o.ts : seq < o.seq; }
};

}  // namespace

void ReserveHuge(void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t b = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);  // advice only
}

void BulkRows::Reserve(size_t rows) {
  ReserveHuge(profile_, rows);
  ReserveHuge(ts_, rows);
  ReserveHuge(seq_, rows);
  ReserveHuge(name_, rows);
  ReserveHuge(type_, rows);
}

void BulkRows::ShiftSeqs(uint64_t delta) {
  for (uint64_t& s : seq_) s += delta;
}

uint32_t BulkRows::Intern(std::string_view name) {
  const size_t h = QuickHash(name);
  const uint32_t hit = recent_[h];
  if (hit != 0 && names_[hit - 1] == name) return hit - 1;
  return InternSlow(name, h);
}

uint32_t BulkRows::InternSlow(std::string_view name, size_t hint) {
  uint32_t id;
  auto it = ids_.find(name);
  if (it != ids_.end()) {
    id = it->second;
  } else {
    id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
  }
  recent_[hint] = id + 1;
  return id;
}

Status EventIndex::BulkLoad(std::vector<BulkRows>& parts, int threads) {
  if (event_count_ != 0 || !delta_.empty() || !slot_profile_.empty()) {
    return Status::FailedPrecondition("bulk load needs an empty index");
  }
  {
    std::lock_guard<std::mutex> lock(columns_mu_);
    if (!columns_.empty()) return Status::FailedPrecondition("bulk load needs an empty index");
  }
  threads = std::max(1, threads);
  // Names: each part's dictionary onto the index's, in part order.
  std::vector<std::vector<uint32_t>> name_map(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const std::string& n : parts[p].names_) name_map[p].push_back(InternName(n));
  }
  // Slots in order of first appearance (as Add would give them), and the row count of each.
  size_t n = 0;
  for (const BulkRows& part : parts) n += part.size();
  // Runs fn(part) for every part, the parts spread over the threads.
  const int workers = std::max(1, std::min<int>(threads, static_cast<int>(parts.size())));
  auto each_part = [&](auto&& fn) {
    ForEachTask(workers, [&](int t) {
      for (size_t p = static_cast<size_t>(t); p < parts.size(); p += static_cast<size_t>(workers))
        fn(p);
    });
  };
  std::vector<uint64_t> part_max(parts.size(), 0);
  if (parts.size() > 1 && threads > 1) {
    each_part([&](size_t p) {
      for (uint64_t id : parts[p].profile_) part_max[p] = std::max(part_max[p], id);
    });
  }
  const uint64_t max_profile =
      part_max.empty() ? 0 : *std::max_element(part_max.begin(), part_max.end());
  std::vector<std::vector<uint32_t>> row_slot(parts.size());
  std::vector<uint64_t> counts;
  if (parts.size() > 1 && threads > 1 && max_profile < 2 * n + (uint64_t{1} << 20)) {
    // Dense profile ids (the store's): each part lists its profiles in order of first appearance
    // on its own thread, slots are given from those lists in part order (as many calls as
    // distinct profiles per part, not one per row), then each part looks its rows' slots up.
    std::vector<std::vector<uint64_t>> first_seen(parts.size());
    each_part([&](size_t part) {
      std::vector<uint8_t> seen(max_profile + 1, 0);
      for (uint64_t p : parts[part].profile_) {
        if (seen[p] == 0) {
          seen[p] = 1;
          first_seen[part].push_back(p);
        }
      }
    });
    for (const std::vector<uint64_t>& list : first_seen) {
      for (uint64_t p : list) SlotFor(ProfileId(p));
    }
    std::vector<uint32_t> slot_of(max_profile + 1, kNoRow);
    for (size_t s = 0; s < slot_profile_.size(); ++s)
      slot_of[slot_profile_[s]] = static_cast<uint32_t>(s);
    std::vector<std::vector<uint64_t>> part_counts(parts.size());
    each_part([&](size_t part) {
      const std::vector<uint64_t>& prof = parts[part].profile_;
      std::vector<uint32_t>& out = row_slot[part];
      std::vector<uint64_t>& c = part_counts[part];
      c.assign(slot_profile_.size(), 0);
      ReserveHuge(out, prof.size());
      out.resize(prof.size());
      for (size_t i = 0; i < prof.size(); ++i) {
        const uint32_t s = slot_of[prof[i]];
        ++c[s];
        out[i] = s;
      }
    });
    counts.assign(slot_profile_.size(), 0);
    for (const std::vector<uint64_t>& c : part_counts) {
      for (size_t s = 0; s < c.size(); ++s) counts[s] += c[s];
    }
    for (BulkRows& part : parts) std::vector<uint64_t>().swap(part.profile_);
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].profile_.empty()) continue;  // done above (or an empty part)
    const std::vector<uint64_t>& prof = parts[p].profile_;
    std::vector<uint32_t>& out = row_slot[p];
    ReserveHuge(out, prof.size());
    out.resize(prof.size());
    for (size_t i = 0; i < prof.size(); ++i) {
      const uint32_t s = SlotFor(ProfileId(prof[i]));
      if (s >= counts.size()) counts.resize(std::max<size_t>(s + 1, counts.size() * 2), 0);
      ++counts[s];
      out[i] = s;
    }
    std::vector<uint64_t>().swap(parts[p].profile_);
  }
  const size_t slots = slot_profile_.size();
  counts.resize(slots, 0);
  std::vector<uint64_t> offsets(slots + 1, 0);
  for (size_t s = 0; s < slots; ++s) offsets[s + 1] = offsets[s] + counts[s];

  // Rows split into `threads` ranges over the parts (in order); each range scatters its rows to
  // their slots, after the earlier ranges' rows of the same slot, so a slot's rows keep input
  // order.
  struct Range {
    size_t part_begin, row_begin, part_end,
        row_end;  // [ (part_begin,row_begin), (part_end,row_end) )
  };
  std::vector<Range> ranges;
  {
    const size_t per = (n + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
    size_t p = 0, r = 0;
    for (int t = 0; t < threads; ++t) {
      Range g{p, r, p, r};
      size_t left = t + 1 == threads ? n : per;
      while (left > 0 && p < parts.size()) {
        const size_t take = std::min(left, parts[p].size() - r);
        left -= take;
        r += take;
        if (r == parts[p].size()) {
          ++p;
          r = 0;
        }
      }
      g.part_end = p;
      g.row_end = r;
      ranges.push_back(g);
    }
  }
  auto for_rows = [&](const Range& g, auto&& fn) {
    for (size_t p = g.part_begin; p <= g.part_end && p < parts.size(); ++p) {
      const size_t b = p == g.part_begin ? g.row_begin : 0;
      const size_t e = p == g.part_end ? g.row_end : parts[p].size();
      for (size_t i = b; i < e; ++i) fn(p, i);
    }
  };
  const int used = static_cast<int>(ranges.size());
  std::vector<std::vector<uint64_t>> cursor(used);
  if (used > 1) {
    // Per range, rows per slot; then each range's cursor starts after the earlier ranges' rows.
    ForEachTask(used, [&](int t) {
      std::vector<uint64_t>& c = cursor[t];
      ReserveHuge(c, slots);
      c.assign(slots, 0);
      for_rows(ranges[t], [&](size_t p, size_t i) { ++c[row_slot[p][i]]; });
    });
    for (size_t s = 0; s < slots; ++s) {
      uint64_t at = offsets[s];
      for (int t = 0; t < used; ++t) {
        const uint64_t k = cursor[t][s];
        cursor[t][s] = at;
        at += k;
      }
    }
  } else {
    cursor[0].assign(offsets.begin(), offsets.end() - 1);
  }
  ReserveHuge(ts_, n);
  ReserveHuge(seq_, n);
  ReserveHuge(name_, n);
  ReserveHuge(type_, n);
  ts_.resize(n);
  seq_.resize(n);
  name_.resize(n);
  type_.resize(n);
  ForEachTask(used, [&](int t) {
    std::vector<uint64_t>& c = cursor[t];
    for_rows(ranges[t], [&](size_t p, size_t i) {
      const uint64_t at = c[row_slot[p][i]]++;
      ts_[at] = parts[p].ts_[i];
      seq_[at] = parts[p].seq_[i];
      name_[at] = name_map[p][parts[p].name_[i]];
      type_[at] = parts[p].type_[i];
    });
  });
  // Within a slot rows are in input order; put them in (timestamp, seq) order where they are not.
  ForEachTask(threads, [&](int t) {
    std::vector<BulkSortRow> rows;
    for (size_t s = static_cast<size_t>(t); s < slots; s += static_cast<size_t>(threads)) {
      const uint64_t b = offsets[s], e = offsets[s + 1];
      bool sorted = true;
      for (uint64_t i = b + 1; i < e && sorted; ++i) {
        sorted = ts_[i - 1] < ts_[i] || (ts_[i - 1] == ts_[i] && seq_[i - 1] < seq_[i]);
      }
      if (sorted) continue;
      rows.clear();
      for (uint64_t i = b; i < e; ++i)
        rows.push_back(BulkSortRow{ts_[i], seq_[i], name_[i], type_[i]});
      std::sort(rows.begin(), rows.end());
      for (uint64_t i = b; i < e; ++i) {
        const BulkSortRow& r = rows[i - b];
        ts_[i] = r.ts;
        seq_[i] = r.seq;
        name_[i] = r.name;
        type_[i] = r.type;
      }
    }
  });
  offsets_ = std::move(offsets);
  moved_.assign(slots, 0);
  event_count_ = n;
  for (BulkRows& part : parts) part = BulkRows();
  DropProjections();
  return Status::Ok();
}

}  // namespace signpost::analytics
