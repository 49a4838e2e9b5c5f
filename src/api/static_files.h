// The dashboard's static files: a GET path below the web root becomes that file, with its content
// type; "/" and folders serve their index.html. Nothing outside the root is ever served: ".."
// segments are refused when the target is parsed, and the resolved file (symlinks followed) must
// still be inside the root.
//
// Thread-safety: a pure function of the file system.
#pragma once

#include <string>

#include "api/http_request.h"

namespace signpost::api {

// Answers `req` from the files below `root` (a 404 JSON error when there is no such file).
void ServeStatic(const std::string& root, const Request& req, Response& res);

}  // namespace signpost::api
