// Where remote mode's settings come from, in this order: the flags (--server, --token, --cacert,
// --insecure), the environment (SIGNPOST_SERVER, SIGNPOST_TOKEN, SIGNPOST_CACERT), then the config
// file: $SIGNPOST_CONFIG, else $XDG_CONFIG_HOME/signpost/config.yaml, else
// ~/.config/signpost/config.yaml, a YAML map of `server`, `token`, `cacert` and `insecure`.
// Thread-safety: plain functions; the environment is read through the given getter.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/commands.h"
#include "signpost/status.h"

namespace signpost::cli {

// Reads one environment variable: its value, or nullptr when unset.
using EnvGetter = std::function<const char*(const char*)>;

// A config file larger than this is refused.
inline constexpr size_t kMaxConfigBytes = 64 << 10;

// How the command line was given.
struct RemoteContext {
  bool data_flag = false;  // --data was given: local mode, unless --server was given too (error)
  bool serving = false;    // the command is `serve`: it never runs remotely
};

// The config file's path by the rules above ("" when neither SIGNPOST_CONFIG, XDG_CONFIG_HOME
// nor HOME is set), and whether SIGNPOST_CONFIG named it (then it must exist).
struct ConfigPath {
  std::string path;
  bool explicit_path = false;
};
ConfigPath FindConfigPath(const EnvGetter& env);

// Completes g.server, g.token, g.cacert and g.insecure from the environment and the config file
// wherever the flags left them unset (a flag wins over the environment, which wins over the file),
// then checks them. kInvalidArgument naming both flags for --server with --data, naming --server
// for `serve --server`, naming the URL when it is not http:// or https://, and saying where a token
// may come from when remote mode has none. The config file is read only when remote mode still
// lacks a setting: kInvalidArgument naming the file when it is not a YAML map of the known keys
// or is over kMaxConfigBytes, kNotFound when $SIGNPOST_CONFIG names no file, and
// kFailedPrecondition when it holds a token while group or others may read it (like ssh with a
// private key: the fix is `chmod 600 FILE`). With --data, or for `serve`, nothing is read.
Status ResolveRemote(Globals& g, const RemoteContext& context, const EnvGetter& env);

// Adds --server, --token, --cacert, --insecure and --timeout to `app` (into `g`), and resolves them
// with ResolveRemote from the process environment once the command line is parsed, before any
// command runs; a failure prints `error: ...` and exits 1.
void RegisterRemoteOptions(CLI::App& app, Globals& g);

}  // namespace signpost::cli
