// Db: the RocksDB database of one data folder, with signpost's column families, its format version
// check, and generic reads and atomic writes. The only class that touches RocksDB directly; every
// other store class and the identity module read and write through it, so a single atomic write
// can hold events, dedup entries, identity links and trait history together (see Batch).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signpost/status.h"
#include "store/column_families.h"
#include "store/options.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace signpost::store {

// The on-disk format this build reads and writes. Bump on any incompatible change of keys or
// values.
constexpr int kFormatVersion = 2;  // 2: events in chunks, message-id hash log

class Db;

// A set of puts and deletes applied atomically by Db::Write. Made by Db::NewBatch; must not outlive
// that Db. Not thread-safe (fill it from one thread).
class Batch {
 public:
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  void Put(Cf cf, std::string_view key, std::string_view value);
  void Delete(Cf cf, std::string_view key);
  // Deletes every key in [begin, end).
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end);
  // Removes every operation, keeping the memory (for a batch reused across writes).
  void Clear();
  // Number of operations so far.
  size_t Count() const;
  // Bytes of the batch's encoding (a size guide for callers that want to split work).
  size_t ByteSize() const;

 private:
  friend class Db;
  explicit Batch(const Db* db);
  const Db* db_;
  std::unique_ptr<rocksdb::WriteBatch> wb_;
};

class Db {
 public:
  // Opens or creates the store in options.dir (creating the folder when missing).
  // Fails with kFailedPrecondition, naming the folder and the fix, when the folder is locked by
  // another process, holds files that are not a signpost store, or was written by another format
  // version (the message names both versions); kIoError when the disk fails.
  static Result<std::unique_ptr<Db>> Open(const StoreOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A new empty batch for this Db. Thread-safe.
  Batch NewBatch() const;
  // Applies `batch` atomically; with options.sync the WAL is fsynced before returning, so the write
  // is durable on return. kIoError on failure (nothing of the batch is applied). Thread-safe.
  Status Write(Batch& batch);
  // Like Write, but with an explicit sync choice (for records whose loss on power cut is harmless).
  Status Write(Batch& batch, bool sync);

  // The value at `key`: nullopt when absent; kIoError / kCorruption on failure. Thread-safe.
  Result<std::optional<std::string>> Get(Cf cf, std::string_view key) const;
  // Values of many keys of one column family, in the order of `keys` (nullopt when absent).
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Cf cf, const std::vector<std::string>& keys) const;

  // Calls fn(key, value) for each key >= `start` that begins with `prefix`, in key order, until fn
  // returns false. The views are valid only during the call. `bulk` tunes the read for long scans
  // (large readahead, blocks not kept in the cache). Thread-safe; sees a consistent snapshot.
  using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;
  Status Scan(Cf cf, std::string_view start, std::string_view prefix, const ScanFn& fn,
              bool bulk = false) const;
  // Like Scan without a prefix, but starts at the last key <= `start` (at the first key when there
  // is none), so a reader finds the record whose range holds `start`. Thread-safe.
  Status ScanFromFloor(Cf cf, std::string_view start, const ScanFn& fn, bool bulk = false) const;
  // The last key (and its value) that begins with `prefix`; nullopt when there is none.
  Result<std::optional<std::pair<std::string, std::string>>> Last(Cf cf,
                                                                  std::string_view prefix) const;

  // Adds `count` new records to `cf` as one sorted file of their own (RocksDB's external file
  // ingestion): they skip the WAL and the memtable, and are durable on return (the file and the
  // MANIFEST are fsynced, whatever options.sync says). at(i) gives record i; the keys must be
  // strictly ascending. A record under a key the family already holds replaces it, as a Put
  // would. For derived records written in bulk (the per-identity index). kIoError on failure
  // (nothing is added). Thread-safe, but meant for one writer at a time.
  using RecordAt = std::function<std::pair<std::string_view, std::string_view>(size_t i)>;
  Status IngestSorted(Cf cf, size_t count, const RecordAt& at);

  // Makes what was deleted or overwritten before the call leave every file of the folder: flushes
  // every column family (the WALs holding the old writes become obsolete), compacts each over its
  // full range into its last level (old values and tombstones dropped), writes once more so the
  // MANIFEST rolls over to one that lists only live files, and deletes the obsolete files before
  // returning. Takes about as long as rewriting the folder. Runs concurrently with reads and
  // writes (a write that races with it may stay in the new WAL). A Scan running at the same time
  // keeps the SSTs it reads until it ends; they are deleted then (RocksDB purges obsolete files
  // when the last iterator on them goes). kIoError on failure. Thread-safe.
  Status Purge();

  const std::string& dir() const { return dir_; }
  bool sync() const { return sync_; }

 private:
  friend class Batch;
  Db(std::string dir, bool sync);
  Status OpenOrCreate();
  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[CfIndex(cf)]; }

  std::string dir_;
  bool sync_;
  std::atomic<uint64_t> ingests_{0};  // numbers IngestSorted's files
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // by Cf, then any unknown extra families
};

}  // namespace signpost::store
