// `signpost --server URL import FILES...`: each file is uploaded in pieces of kUploadPieceBytes
// (POST /api/uploads/{id}?offset=N, src/api/routes_import.cc) and then imported by the server
// as a local import would (POST /api/uploads/{id}/import), whose summary is printed as locally.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <random>

#include "cli/command_support.h"
#include "cli/report_text.h"

namespace signpost::cli {

namespace {

// A piece of an upload: well under the server's 8 MiB body limit.
constexpr size_t kUploadPieceBytes = size_t{4} << 20;

std::string NewUploadId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", random());
  return id;
}

Result<nlohmann::json> UploadAndImport(const Globals& g, const std::string& path,
                                       const std::string& format, bool bar) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file; check the path and permissions");
  in.seekg(0, std::ios::end);
  ImportProgress progress;
  progress.bytes_total = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  const std::string id = NewUploadId();
  const auto start = std::chrono::steady_clock::now();
  std::string piece(kUploadPieceBytes, '\0');
  do {  // at least one piece, so an empty file is an (empty) upload too
    in.read(piece.data(), std::streamsize(piece.size()));
    const size_t n = size_t(in.gcount());
    SP_RETURN_IF_ERROR(RemoteCall(g, "POST",
                                  fmt::format("/api/uploads/{}?offset={}", id, progress.bytes_read),
                                  std::string_view(piece.data(), n), "application/octet-stream")
                           .status());
    progress.bytes_read += n;
    if (bar)
      DrawProgress(progress,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  } while (in);
  if (bar) std::cerr << "\n";
  // The server answers once the whole file is imported: a large file may take longer than
  // --timeout, so this call waits at least a minute plus a second per MiB (imports run at several
  // MiB/s).
  Globals waiting = g;
  waiting.timeout_s = std::max(g.timeout_s, 60.0 + double(progress.bytes_total >> 20));
  return RemoteCall(waiting, "POST",
                    fmt::format("/api/uploads/{}/import{}", id,
                                QueryString({{"name", path}, {"format", format}})));
}

}  // namespace

int RemoteImport(const Globals& g, const std::vector<std::string>& files,
                 const std::string& format) {
  const bool bar = !g.json && StderrIsTerminal();
  nlohmann::json summaries = nlohmann::json::array();
  for (const auto& path : files) {
    Result<nlohmann::json> summary = UploadAndImport(g, path, format, bar);
    if (!summary.ok()) return PrintError(summary.status());
    summaries.push_back(std::move(summary).value());
  }
  return PrintImportSummaries(g, summaries);
}

}  // namespace signpost::cli
