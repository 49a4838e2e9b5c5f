#include "api/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/routes.h"

namespace signpost::api {

namespace fs = std::filesystem;

namespace {

std::string ContentType(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

void NotFound(const Request& req, Response& res) {
  ReplyError(res, Status::NotFound("no such page: " + req.path.substr(0, 200)));
}

}  // namespace

void ServeStatic(const std::string& root, const Request& req, Response& res) {
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return NotFound(req, res);
  fs::path p = base;
  for (const std::string& s : req.segments) {
    if (s.empty() || s == "." || s == ".." || s.find('\\') != std::string::npos) continue;
    p /= s;
  }
  if (fs::is_directory(p, ec)) p /= "index.html";
  const fs::path real = fs::canonical(p, ec);
  if (ec || !fs::is_regular_file(real, ec)) return NotFound(req, res);
  // Inside the root: `real` starts with every component of `base`.
  auto [b, r] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (b != base.end()) return NotFound(req, res);
  std::ifstream in(real, std::ios::binary);
  if (!in) return NotFound(req, res);
  std::ostringstream data;
  data << in.rdbuf();
  res.status = 200;
  res.content_type = ContentType(real);
  res.body = std::move(data).str();
}

}  // namespace signpost::api
