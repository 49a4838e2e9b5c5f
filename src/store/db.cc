#include "store/db.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <system_error>

namespace signpost::store {
namespace {

constexpr std::string_view kMagicKey = "signpost.magic";
constexpr std::string_view kMagicValue = "signpost";
constexpr std::string_view kVersionKey = "signpost.format_version";
constexpr std::string_view kPurgeKey = "signpost.purged";  // rewritten by each Purge
// IngestSorted's files while they are written; one left by a crash is removed at the next open.
constexpr std::string_view kIngestSuffix = ".ingest.tmp";

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(fmt::format("{}: {}", what, s.ToString()));
  return Status::IoError(fmt::format("{}: {}", what, s.ToString()));
}

rocksdb::DBOptions MakeDbOptions() {
  rocksdb::DBOptions options;
  options.max_background_jobs = 2;
  options.max_total_wal_size = 512 << 20;
  options.bytes_per_sync = 1 << 20;
  options.keep_log_file_num = 4;
  // Privacy (Purge): RocksDB's info log names the key range of a manual compaction that stops
  // early, and keys hold identities; warnings and errors still go to LOG.
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Purge: every manifest write starts a new MANIFEST that lists the live files only, so the
  // boundary keys (identities, in some families) of compacted-away SSTs leave with the old one.
  // RocksDB rolls when the current manifest is bigger than this, before writing the edit. A roll
  // writes one record per live file (a few KiB to tens of KiB) and renames CURRENT, once per
  // flush or compaction: noise next to the SSTs those write.
  options.max_manifest_file_size = 1;
  // No WAL recycling or archiving (the defaults; Purge relies on obsolete WALs being deleted).
  options.recycle_log_file_num = 0;
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  return options;
}

// Options per column family: big memtables and LZ4 for the event data written in bulk, bloom
// filters where point lookups happen (message ids, identities, keys).
rocksdb::ColumnFamilyOptions MakeCfOptions(std::string_view name,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  options.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 << 10;
  const bool bulk = name == "events" || name == "message_ids" || name == "events_by_identity";
  options.write_buffer_size = name == "events" ? (64 << 20) : bulk ? (16 << 20) : (8 << 20);
  options.max_write_buffer_number = bulk ? 4 : 2;  // room to keep writing while a flush runs
  if (name == "message_ids" || name == "identities" || name == "keys") {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

bool IsLockError(const rocksdb::Status& s) {
  return s.IsIOError() && (s.ToString().find("lock") != std::string::npos ||
                           s.ToString().find("LOCK") != std::string::npos);
}

// True when none of `handles` holds a key (a RocksDB database just made, before anything was
// written to it).
Result<bool> HoldsNoKeys(rocksdb::DB* db,
                         const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (auto* h : handles) {
    if (h == nullptr) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    SP_RETURN_IF_ERROR(FromRocks(it->status(), "scan failed"));
    if (it->Valid()) return false;
  }
  return true;
}

}  // namespace

// ---- Batch
// ---------------------------------------------------------------------------------------

Batch::Batch(const Db* db) : db_(db), wb_(std::make_unique<rocksdb::WriteBatch>()) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::Put(Cf cf, std::string_view key, std::string_view value) {
  wb_->Put(db_->handle(cf), ToSlice(key), ToSlice(value));
}
void Batch::Delete(Cf cf, std::string_view key) { wb_->Delete(db_->handle(cf), ToSlice(key)); }
void Batch::DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
  wb_->DeleteRange(db_->handle(cf), ToSlice(begin), ToSlice(end));
}
void Batch::Clear() { wb_->Clear(); }
size_t Batch::Count() const { return wb_->Count(); }
size_t Batch::ByteSize() const { return wb_->GetDataSize(); }

// ---- Db
// ------------------------------------------------------------------------------------------

Db::Db(std::string dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}

Db::~Db() {
  if (!db_) return;
  // Flush so the next Open need not replay the write-ahead log (best effort: the log is still
  // there when the flush fails, and a crash that skips this loses nothing either).
  rocksdb::FlushOptions flush;
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (auto* h : handles_) {
    if (h != nullptr) all.push_back(h);
  }
  db_->Flush(flush, all).PermitUncheckedError();
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<Db>> Db::Open(const StoreOptions& options) {
  if (options.dir.empty()) {
    return Status::InvalidArgument("no data folder given: pass --data DIR");
  }
  std::unique_ptr<Db> db(new Db(options.dir, options.sync));
  SP_RETURN_IF_ERROR(db->OpenOrCreate());
  return db;
}

Status Db::OpenOrCreate() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(dir_, ec);
  if (exists && !fs::is_directory(dir_, ec)) {
    return Status::FailedPrecondition(fmt::format(
        "'{}' is a file, not a signpost data folder: pass a folder path to --data", dir_));
  }
  const bool has_store = exists && fs::exists(fs::path(dir_) / "CURRENT", ec);
  if (exists && !has_store && !fs::is_empty(dir_, ec)) {
    return Status::FailedPrecondition(fmt::format(
        "'{}' is not a signpost data folder (it holds other files and no store): pass an empty or "
        "new folder to --data",
        dir_));
  }
  if (!exists) {
    fs::create_directories(dir_, ec);
    if (ec) {
      return Status::IoError(fmt::format("cannot create data folder '{}': {}", dir_, ec.message()));
    }
  }

  auto cache = rocksdb::NewLRUCache(64 << 20);
  rocksdb::DBOptions db_options = MakeDbOptions();
  std::vector<std::string> names(kCfNames.begin(), kCfNames.end());
  if (has_store) {
    std::vector<std::string> existing;
    auto s = rocksdb::DB::ListColumnFamilies(db_options, dir_, &existing);
    if (!s.ok()) {
      return Status::FailedPrecondition(fmt::format(
          "'{}' is not a readable signpost data folder ({}): pass another folder to --data", dir_,
          s.ToString()));
    }
    for (const auto& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    // Open only the families that exist: a folder of another program must not be modified
    // before it is recognized. Ours that are missing are created after the version check.
    std::vector<std::string> open_names;
    for (const auto& name : names) {
      if (std::find(existing.begin(), existing.end(), name) != existing.end()) {
        open_names.push_back(name);
      }
    }
    names = open_names;
  } else {
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, MakeCfOptions(name, cache));
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, dir_, descriptors, &opened, &raw);
  if (!s.ok()) {
    if (IsLockError(s)) {
      return Status::FailedPrecondition(fmt::format(
          "data folder '{}' is in use by another signpost process (its lock is held): stop that "
          "process or pass a different --data folder ({})",
          dir_, s.ToString()));
    }
    return FromRocks(s, fmt::format("cannot open data folder '{}'", dir_));
  }
  db_.reset(raw);
  // The lock is ours now: a sorted file a crash left half written is of no use (its records are
  // derived and written again).
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(kIngestSuffix)) fs::remove(entry.path(), ec);
  }

  handles_.assign(kCfCount, nullptr);
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = std::find(kCfNames.begin(), kCfNames.end(), names[i]);
    if (it != kCfNames.end()) {
      handles_[static_cast<size_t>(it - kCfNames.begin())] = opened[i];
    } else {
      handles_.push_back(opened[i]);
    }
  }

  // The first open of a new folder creates the families and then writes the format marker: a
  // folder killed between the two has only (some of) our families and no key at all, and is
  // finished here as a new one. Any other database without the marker is not ours.
  bool unfinished = false;
  if (has_store) {
    SP_ASSIGN_OR_RETURN(auto magic, Get(Cf::kMeta, kMagicKey));
    SP_ASSIGN_OR_RETURN(auto version, Get(Cf::kMeta, kVersionKey));
    if (!magic && !version && handles_.size() == kCfCount) {
      SP_ASSIGN_OR_RETURN(unfinished, HoldsNoKeys(db_.get(), handles_));
    }
    if (!unfinished && (!magic || *magic != kMagicValue || !version)) {
      return Status::FailedPrecondition(fmt::format(
          "'{}' is a database but not a signpost data folder (no signpost format marker): pass an "
          "empty or new folder to --data",
          dir_));
    }
    if (!unfinished && *version != std::to_string(kFormatVersion)) {
      return Status::FailedPrecondition(fmt::format(
          "data folder '{}' was written in signpost store format version {}, but this build reads "
          "format version {}: open it with a signpost build of format {}, or export its events "
          "with that build and import them into a new folder",
          dir_, *version, kFormatVersion, *version));
    }
    for (size_t i = 0; i < kCfCount; ++i) {
      if (handles_[i] != nullptr) continue;
      rocksdb::ColumnFamilyHandle* h = nullptr;
      SP_RETURN_IF_ERROR(FromRocks(
          db_->CreateColumnFamily(MakeCfOptions(kCfNames[i], cache), std::string(kCfNames[i]), &h),
          "cannot create column family"));
      handles_[i] = h;
    }
    if (!unfinished) return Status::Ok();
  }
  Batch batch = NewBatch();
  batch.Put(Cf::kMeta, kMagicKey, kMagicValue);
  batch.Put(Cf::kMeta, kVersionKey, std::to_string(kFormatVersion));
  return Write(batch, /*sync=*/true);
}

Status Db::Purge() {
  const std::string what = fmt::format("purge of data folder '{}' failed", dir_);
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (auto* h : handles_) {
    if (h != nullptr) all.push_back(h);
  }
  // 1. Every memtable to an SST: the WALs holding the old writes become obsolete.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  SP_RETURN_IF_ERROR(FromRocks(db_->Flush(flush, all), what));
  // 2. Every family compacted over its full range into its last level: overwritten values and
  // deletion tombstones are dropped (no snapshot is ever taken, so nothing keeps them).
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : all) {
    SP_RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, h, nullptr, nullptr), what));
  }
  // 3. One more manifest write: the manifest is past max_manifest_file_size, so this write
  // starts a new one from the live files only.
  Batch batch = NewBatch();
  batch.Put(Cf::kMeta, kPurgeKey, "1");
  SP_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
  SP_RETURN_IF_ERROR(FromRocks(db_->Flush(flush, handle(Cf::kMeta)), what));
  // 4. Delete every obsolete file (old WALs, SSTs, manifests, info logs) now, in this thread.
  SP_RETURN_IF_ERROR(FromRocks(db_->DisableFileDeletions(), what));
  return FromRocks(db_->EnableFileDeletions(/*force=*/true), what);
}

Status Db::IngestSorted(Cf cf, size_t count, const RecordAt& at) {
  if (count == 0) return Status::Ok();
  const std::string what = fmt::format("write to data folder '{}' failed", dir_);
  rocksdb::ColumnFamilyDescriptor family;
  SP_RETURN_IF_ERROR(FromRocks(handle(cf)->GetDescriptor(&family), what));
  // The family's own table format and compression, so the file reads like one it flushed.
  const rocksdb::Options options(db_->GetDBOptions(), family.options);
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, handle(cf));
  const std::string path = fmt::format("{}/{}{}", dir_, ingests_.fetch_add(1) + 1, kIngestSuffix);
  auto written = [&]() -> rocksdb::Status {
    rocksdb::Status s = writer.Open(path);
    for (size_t i = 0; s.ok() && i < count; ++i) {
      const auto [key, value] = at(i);
      s = writer.Put(ToSlice(key), ToSlice(value));
    }
    if (s.ok()) s = writer.Finish();  // fsyncs the file
    if (!s.ok()) return s;
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;  // linked into the folder, not copied
    return db_->IngestExternalFile(handle(cf), {path}, ingest);
  }();
  std::error_code ec;
  std::filesystem::remove(path, ec);  // its link, when ingested; what was written, when not
  return FromRocks(written, what);
}

Batch Db::NewBatch() const { return Batch(this); }

Status Db::Write(Batch& batch) { return Write(batch, sync_); }

Status Db::Write(Batch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(db_->Write(options, batch.wb_.get()),
                   fmt::format("write to data folder '{}' failed", dir_));
}

Result<std::optional<std::string>> Db::Get(Cf cf, std::string_view key) const {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handle(cf), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  SP_RETURN_IF_ERROR(FromRocks(s, "read failed"));
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::optional<std::string>>> Db::MultiGet(
    Cf cf, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const auto& k : keys) slices.emplace_back(k);
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), handle(cf), keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<std::string>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    SP_RETURN_IF_ERROR(FromRocks(statuses[i], "read failed"));
    out[i] = values[i].ToString();
  }
  return out;
}

Status Db::Scan(Cf cf, std::string_view start, std::string_view prefix, const ScanFn& fn,
                bool bulk) const {
  rocksdb::ReadOptions options;
  if (bulk) {
    options.readahead_size = 4 << 20;
    options.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handle(cf)));
  const std::string_view from = start < prefix ? prefix : start;
  for (it->Seek(ToSlice(from)); it->Valid(); it->Next()) {
    const std::string_view key = ToView(it->key());
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!fn(key, ToView(it->value()))) break;
  }
  return FromRocks(it->status(), "scan failed");
}

Status Db::ScanFromFloor(Cf cf, std::string_view start, const ScanFn& fn, bool bulk) const {
  rocksdb::ReadOptions options;
  if (bulk) {
    options.readahead_size = 4 << 20;
    options.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handle(cf)));
  it->SeekForPrev(ToSlice(start));
  if (!it->Valid()) {
    SP_RETURN_IF_ERROR(FromRocks(it->status(), "scan failed"));
    it->SeekToFirst();
  }
  for (; it->Valid(); it->Next()) {
    if (!fn(ToView(it->key()), ToView(it->value()))) break;
  }
  return FromRocks(it->status(), "scan failed");
}

Result<std::optional<std::pair<std::string, std::string>>> Db::Last(Cf cf,
                                                                    std::string_view prefix) const {
  using Entry = std::optional<std::pair<std::string, std::string>>;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
  // The smallest key after every key with `prefix`: the prefix with its last non-0xff byte bumped.
  std::string upper(prefix);
  while (!upper.empty() && static_cast<uint8_t>(upper.back()) == 0xff) upper.pop_back();
  if (upper.empty()) {
    it->SeekToLast();
  } else {
    upper.back() = static_cast<char>(static_cast<uint8_t>(upper.back()) + 1);
    it->SeekForPrev(ToSlice(upper));
    if (it->Valid() && ToView(it->key()) == upper) it->Prev();
  }
  SP_RETURN_IF_ERROR(FromRocks(it->status(), "scan failed"));
  if (!it->Valid()) return Entry();
  const std::string_view key = ToView(it->key());
  if (key.substr(0, prefix.size()) != prefix) return Entry();
  return Entry(std::make_pair(std::string(key), it->value().ToString()));
}

}  // namespace signpost::store
