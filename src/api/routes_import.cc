// Routes: the store as the command line's remote mode uses it (`signpost --server URL ...`).
// GET /api/events/count; POST /api/deadletters/reimport {"ids": [...]}; and a file import in
// pieces, since a file is larger than a request body: POST /api/uploads/{id}?offset=N appends the
// body to the upload `id` (a client-chosen 16 to 64 hex digits) at byte N — a retried piece whose
// offset is not the upload's size is refused with that size, so nothing is written twice — and
// POST /api/uploads/{id}/import?name=FILE&format=auto|ndjson|csv imports the whole upload as
// `signpost import FILE` would (Engine::ImportUpload), answers its summary and removes it.
// Uploads live in `upload_dir`; one untouched for an hour is removed when another starts, at most
// kMaxUploads are open at once and each holds at most kMaxUploadBytes.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "api/import_json.h"
#include "api/routes.h"

namespace signpost::api {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr uint64_t kMaxUploadBytes = uint64_t{64} << 30;
constexpr size_t kMaxUploads = 16;
constexpr auto kUploadIdle = std::chrono::hours(1);
constexpr size_t kMaxReportedRejections = 20;

// Serializes the uploads' file operations (appends, renames, sweeps); imports run outside it.
std::mutex upload_mutex;

Status CheckUploadId(const std::string& id) {
  if (id.size() < 16 || id.size() > 64)
    return Status::InvalidArgument("id: expected 16 to 64 hex digits naming the upload");
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return Status::InvalidArgument(
          "id: expected 16 to 64 hex digits (0-9, a-f) naming the upload");
  }
  return Status::Ok();
}

// Removes uploads untouched for kUploadIdle; returns how many remain. Under upload_mutex.
size_t SweepUploads(const fs::path& dir) {
  std::error_code ec;
  size_t open = 0;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto touched = entry.last_write_time(ec);
    if (!ec && now - touched > kUploadIdle) {
      fs::remove(entry.path(), ec);
    } else {
      ++open;
    }
  }
  return open;
}

Result<json> AppendUpload(const fs::path& dir, const Request& req) {
  const std::string& id = req.captures[0];
  SP_RETURN_IF_ERROR(CheckUploadId(id));
  SP_ASSIGN_OR_RETURN(uint64_t offset, QueryInt(req, "offset", 0, 0, kMaxUploadBytes));
  if (offset + req.body.size() > kMaxUploadBytes)
    return Status::ResourceExhausted(fmt::format(
        "upload {}: over {} GiB, the most one import may upload", id, kMaxUploadBytes >> 30));
  std::lock_guard lock(upload_mutex);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Status::IoError(
        fmt::format("uploads: cannot create {}: {}", dir.string(), ec.message()));
  const fs::path file = dir / id;
  const bool exists = fs::exists(file, ec);
  const uint64_t size = exists ? fs::file_size(file, ec) : 0;
  if (offset != size)
    return Status::FailedPrecondition(
        fmt::format("upload {}: holds {} bytes, so the next piece starts at offset={}, not {}", id,
                    size, size, offset));
  if (!exists && SweepUploads(dir) >= kMaxUploads)
    return Status::ResourceExhausted(fmt::format(
        "uploads: {} imports are uploading already; retry when one has finished", kMaxUploads));
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(req.body.data(), std::streamsize(req.body.size()));
  out.close();
  if (!out) return Status::IoError(fmt::format("upload {}: cannot write {}", id, file.string()));
  return json{{"upload", id}, {"bytes", size + req.body.size()}};
}

Result<json> ImportUpload(Engine& eng, const fs::path& dir, const Request& req) {
  const std::string& id = req.captures[0];
  SP_RETURN_IF_ERROR(CheckUploadId(id));
  const std::string name = req.param("name");
  if (name.empty() || name.size() > 4096)
    return Status::InvalidArgument(
        "name: the file's name, 1 to 4096 bytes, e.g. name=events.ndjson");
  const std::string format_text = req.has_param("format") ? req.param("format") : "auto";
  const ImportFormat format = format_text == "csv"      ? ImportFormat::kCsv
                              : format_text == "ndjson" ? ImportFormat::kNdjson
                                                        : ImportFormat::kAuto;
  if (format == ImportFormat::kAuto && format_text != "auto")
    return Status::InvalidArgument("format: use auto (by the name's extension), ndjson or csv");
  // Claimed under the lock: a second import (or a late piece) of the same upload finds nothing.
  const fs::path claimed = dir / (id + ".importing");
  {
    std::lock_guard lock(upload_mutex);
    std::error_code ec;
    fs::rename(dir / id, claimed, ec);
    if (ec)
      return Status::NotFound(fmt::format(
          "upload {}: no such upload; send its pieces with POST /api/uploads/{}?offset=N first", id,
          id));
  }
  Result<ImportSummary> summary = eng.ImportUpload(claimed.string(), name, format);
  std::error_code ec;
  fs::remove(claimed, ec);
  if (!summary.ok()) return summary.status();
  return ImportSummaryJson(name, *summary);
}

}  // namespace

json ImportSummaryJson(const std::string& name, const ImportSummary& s) {
  json rejected = json::array();
  for (size_t i = 0; i < s.outcome.rejections.size() && i < kMaxReportedRejections; ++i) {
    const auto& r = s.outcome.rejections[i];
    rejected.push_back({{"location", r.location}, {"field", r.field}, {"reason", r.reason}});
  }
  const size_t total = s.outcome.accepted + s.outcome.duplicates + s.outcome.rejections.size();
  return {{"file", name},
          {"accepted", s.outcome.accepted},
          {"duplicates", s.outcome.duplicates},
          {"rejected", s.outcome.rejections.size()},
          {"rejections", rejected},
          {"refused_merges", s.outcome.refused_merges.size()},
          {"seconds", s.seconds},
          {"events_per_second", s.seconds > 0 ? double(total) / s.seconds : 0.0}};
}

json ReimportJson(const IngestOutcome& outcome) {
  return {{"accepted", outcome.accepted},
          {"duplicates", outcome.duplicates},
          {"still_rejected", outcome.rejections.size()}};
}

void AddImportRoutes(Router& r, Engine& eng, const std::string& upload_dir) {
  AddAdmin(r, "GET", "/api/events/count", [&eng](const Request&) -> Result<json> {
    return json{{"count", eng.EventCount()}};
  });
  AddAdmin(r, "POST", "/api/deadletters/reimport", [&eng](const Request& req) -> Result<json> {
    constexpr std::string_view kHint =
        "body: send {\"ids\": [12, 13]} (dead-letter ids), or {} for all of them";
    std::vector<uint64_t> ids;
    if (!req.body.empty()) {
      SP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req.body, kHint));
      const json list = body.value("ids", json::array());
      if (!list.is_array()) return Status::InvalidArgument(std::string(kHint));
      for (const json& id : list) {
        if (!id.is_number_unsigned()) return Status::InvalidArgument(std::string(kHint));
        ids.push_back(id.get<uint64_t>());
      }
    }
    SP_ASSIGN_OR_RETURN(IngestOutcome outcome, eng.ReimportDeadLetters(ids));
    return ReimportJson(outcome);
  });
  const fs::path dir =
      upload_dir.empty() ? fs::temp_directory_path() / "signpost-uploads" : fs::path(upload_dir);
  AddAdmin(r, "POST", "/api/uploads/{id}",
           [dir](const Request& req) -> Result<json> { return AppendUpload(dir, req); });
  AddAdmin(r, "POST", "/api/uploads/{id}/import",
           [&eng, dir](const Request& req) -> Result<json> { return ImportUpload(eng, dir, req); });
}

}  // namespace signpost::api
