#include "cli/remote_config.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace signpost::cli {

namespace {

std::string EnvValue(const EnvGetter& env, const char* name) {
  const char* v = env(name);
  return v != nullptr ? std::string(v) : std::string();
}

// The settings a config file holds ("" / false where it says nothing).
struct ConfigFile {
  std::string server, token, cacert;
  bool insecure = false;
};

// Reads the config file at `path`. A missing file is an empty config unless `must_exist`.
Result<ConfigFile> ReadConfig(const std::string& path, bool must_exist) {
  namespace fs = std::filesystem;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (!must_exist) return ConfigFile{};
    return Status::NotFound(
        fmt::format("SIGNPOST_CONFIG names {}, which does not exist; unset it or create the file "
                    "(a YAML map of server, token, cacert, insecure)",
                    path));
  }
  if (!S_ISREG(st.st_mode))
    return Status::InvalidArgument(fmt::format("config file {}: not a regular file", path));
  if (size_t(st.st_size) > kMaxConfigBytes)
    return Status::InvalidArgument(
        fmt::format("config file {}: {} bytes, over the {} KiB a config "
                    "file may hold",
                    path, st.st_size, kMaxConfigBytes >> 10));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::InvalidArgument(
        fmt::format("config file {}: cannot be read; check its permissions", path));
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  if (text.size() > kMaxConfigBytes)
    return Status::InvalidArgument(fmt::format(
        "config file {}: over the {} KiB a config file may hold", path, kMaxConfigBytes >> 10));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("config file {}: line {}: {}", path, e.mark.line + 1, e.msg));
  }
  ConfigFile config;
  if (root.IsNull()) return config;
  if (!root.IsMap())
    return Status::InvalidArgument(fmt::format(
        "config file {}: expected a YAML map of server, token, cacert, insecure", path));
  for (const auto& item : root) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    const YAML::Node& value = item.second;
    if (!value.IsScalar())
      return Status::InvalidArgument(
          fmt::format("config file {}: `{}` must be a single value", path, key));
    if (key == "server") {
      config.server = value.Scalar();
    } else if (key == "token") {
      config.token = value.Scalar();
    } else if (key == "cacert") {
      config.cacert = value.Scalar();
      // Relative to the config file's folder, as kubeconfig reads its certificate paths.
      if (!config.cacert.empty() && fs::path(config.cacert).is_relative())
        config.cacert = (fs::path(path).parent_path() / config.cacert).string();
    } else if (key == "insecure") {
      const std::string v = value.Scalar();
      if (v != "true" && v != "false")
        return Status::InvalidArgument(
            fmt::format("config file {}: `insecure` must be true or false, got '{}'", path, v));
      config.insecure = v == "true";
    } else {
      return Status::InvalidArgument(fmt::format(
          "config file {}: unknown key `{}`; the keys are server, token, cacert, insecure", path,
          key));
    }
  }
  if (!config.token.empty() && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::FailedPrecondition(fmt::format(
        "config file {} holds an admin token but group or others may read it (mode {:04o}); run "
        "`chmod 600 {}`",
        path, st.st_mode & 07777, path));
  }
  return config;
}

bool HasScheme(const std::string& url) {
  auto starts = [&url](std::string_view prefix) {
    if (url.size() <= prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    }
    return true;
  };
  return starts("http://") || starts("https://");
}

}  // namespace

ConfigPath FindConfigPath(const EnvGetter& env) {
  if (std::string p = EnvValue(env, "SIGNPOST_CONFIG"); !p.empty()) return {p, true};
  if (std::string xdg = EnvValue(env, "XDG_CONFIG_HOME"); !xdg.empty())
    return {xdg + "/signpost/config.yaml", false};
  if (std::string home = EnvValue(env, "HOME"); !home.empty())
    return {home + "/.config/signpost/config.yaml", false};
  return {};
}

Status ResolveRemote(Globals& g, const RemoteContext& context, const EnvGetter& env) {
  if (context.serving) {
    if (!g.server.empty())
      return Status::InvalidArgument(
          "--server: `serve` runs the server on --data; --server is for the other commands");
    return Status::Ok();
  }
  if (context.data_flag) {
    if (!g.server.empty())
      return Status::InvalidArgument(
          "--data and --server: give one; --data DIR opens a data folder on this machine, "
          "--server URL calls a running server");
    return Status::Ok();
  }
  std::string from = "--server";
  if (g.server.empty() && !(g.server = EnvValue(env, "SIGNPOST_SERVER")).empty())
    from = "SIGNPOST_SERVER";
  if (g.token.empty()) g.token = EnvValue(env, "SIGNPOST_TOKEN");
  if (g.cacert.empty()) g.cacert = EnvValue(env, "SIGNPOST_CACERT");
  const ConfigPath config_path = FindConfigPath(env);
  if ((g.server.empty() || g.token.empty() || g.cacert.empty() || !g.insecure) &&
      !config_path.path.empty()) {
    SP_ASSIGN_OR_RETURN(ConfigFile file, ReadConfig(config_path.path, config_path.explicit_path));
    if (g.server.empty() && !file.server.empty()) {
      g.server = file.server;
      from = "`server:` in " + config_path.path;
    }
    if (g.token.empty()) g.token = file.token;
    if (g.cacert.empty()) g.cacert = file.cacert;
    g.insecure = g.insecure || file.insecure;
  }
  if (g.server.empty()) return Status::Ok();  // local mode
  if (!HasScheme(g.server))
    return Status::InvalidArgument(
        fmt::format("{}: '{}' is not an http:// or https:// URL; write e.g. http://localhost:8080",
                    from, g.server));
  if (g.token.empty())
    return Status::InvalidArgument(fmt::format(
        "{} names a server, but no admin token was given: use --token, SIGNPOST_TOKEN or `token:` "
        "in {} (the server prints one on its first start; `signpost keys create --kind admin` "
        "makes more)",
        from, config_path.path.empty() ? "the config file" : config_path.path));
  return Status::Ok();
}

void RegisterRemoteOptions(CLI::App& app, Globals& g) {
  const std::string group = "Remote (a running server's admin API instead of --data)";
  app.add_option("--server", g.server,
                 "Run the command against this server, http(s)://HOST:PORT (env SIGNPOST_SERVER, "
                 "config `server:`)")
      ->group(group);
  app.add_option("--token", g.token,
                 "Admin token for --server (env SIGNPOST_TOKEN, config `token:`; a flag shows in "
                 "the process list, prefer those)")
      ->group(group);
  app.add_option("--cacert", g.cacert,
                 "Trust this CA certificate (PEM) for an https server (env SIGNPOST_CACERT, "
                 "config `cacert:`)")
      ->group(group);
  app.add_flag("--insecure", g.insecure,
               "Do not verify the https server's certificate (config `insecure: true`)")
      ->group(group);
  app.add_option("--timeout", g.timeout_s, "Seconds one request to the server may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(group);
  app.parse_complete_callback([&app, &g] {
    RemoteContext context;
    context.data_flag = app.get_option("--data")->count() > 0;  // the command line's
    for (const CLI::App* sub : app.get_subcommands()) context.serving |= sub->get_name() == "serve";
    // SIGNPOST_DATA counts as --data unless a server is named by --server or SIGNPOST_SERVER
    // (both more specific to this command than a folder set for the shell or the service).
    const char* data_env = std::getenv("SIGNPOST_DATA");
    const char* server_env = std::getenv("SIGNPOST_SERVER");
    if (!context.data_flag && data_env != nullptr && *data_env != '\0' &&
        (context.serving || (g.server.empty() && (server_env == nullptr || *server_env == '\0')))) {
      g.data_dir = data_env;
      context.data_flag = true;
    }
    Status s = ResolveRemote(g, context, [](const char* name) { return std::getenv(name); });
    if (!s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace signpost::cli
