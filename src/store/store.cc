#include "store/store.h"

namespace signpost::store {

Store::Store(std::unique_ptr<Db> db)
    : db_(std::move(db)), definitions_(db_.get()), segments_(db_.get()) {}

Store::~Store() {
  std::lock_guard lock(append_mu_);
  if (events_) events_->WriteIndex().IgnoreError();  // on failure the next open re-indexes
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  SP_ASSIGN_OR_RETURN(auto db, Db::Open(options));
  std::unique_ptr<Store> store(new Store(std::move(db)));
  SP_ASSIGN_OR_RETURN(store->events_, EventLog::Load(store->db_.get(), options.index_flush_events));
  SP_ASSIGN_OR_RETURN(store->dead_letters_, DeadLetters::Load(store->db_.get()));
  SP_ASSIGN_OR_RETURN(store->keys_, ApiKeys::Load(store->db_.get()));
  SP_ASSIGN_OR_RETURN(store->audit_, AuditLog::Load(store->db_.get()));
  return store;
}

Result<AppendResult> Store::Append(std::vector<Event>& events, const AppendHook& hook) {
  std::lock_guard lock(append_mu_);
  if (!append_batch_) append_batch_.emplace(db_->NewBatch());
  Batch& batch = *append_batch_;
  batch.Clear();
  if (events_->IndexDue()) SP_RETURN_IF_ERROR(events_->StartIndexFlush());
  SP_ASSIGN_OR_RETURN(auto staged, events_->Stage(events, batch));
  AppendResult result;
  result.accepted = staged.accepted;
  result.duplicates = staged.duplicates;
  if (hook) SP_RETURN_IF_ERROR(hook(events, batch, result));
  if (batch.Count() > 0) SP_RETURN_IF_ERROR(db_->Write(batch));
  events_->Commit(staged);
  return result;
}

void Store::ReserveEvents(size_t n) {
  std::lock_guard lock(append_mu_);
  events_->ReserveIds(n);
}

Status Store::EraseEvents(std::span<const uint64_t> seqs, const EraseHook& hook, uint64_t* erased) {
  std::lock_guard lock(append_mu_);
  if (erased != nullptr) *erased = 0;
  SP_RETURN_IF_ERROR(events_->FinishIndexFlush());  // the erase changes the entries it writes
  Batch batch = db_->NewBatch();
  SP_ASSIGN_OR_RETURN(auto staged, events_->StageErase(seqs, batch));
  if (staged.erased.empty()) return Status::Ok();
  if (hook) SP_RETURN_IF_ERROR(hook(staged.erased, batch));
  SP_RETURN_IF_ERROR(db_->Write(batch));
  events_->CommitErase(staged);
  if (erased != nullptr) *erased = staged.erased.size();
  return Status::Ok();
}

Status Store::ScanEvents(uint64_t after_seq, const std::function<bool(const Event&)>& fn) const {
  return events_->Scan(after_seq, fn);
}

}  // namespace signpost::store
