// apply, diff and delete: definitions managed like kubectl manages manifests. `-f` takes files,
// folders (their .yaml, .yml and .json files, by name; -R for subfolders) and `-` (standard
// input); every document of every source is applied as one (all or nothing). An error names the
// file and the document. `apply --dry-run` and `diff` store nothing; an apply stores no new
// version of a document that is the same definition as the latest one (`unchanged`).
#include <fmt/format.h>

#include <algorithm>
#include <dtl/dtl.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>

#include "cli/command_support.h"
#include "cli/remote.h"

namespace signpost::cli {

using nlohmann::json;

namespace {

// What `-f` may read in all: files, folders and standard input together.
constexpr size_t kMaxDefinitionBytes = 64 << 20;
constexpr size_t kMaxDefinitionFiles = 10'000;

// The documents of every source, each with where it came from ("a.yaml", "b.yaml (document 2)").
struct Sources {
  std::vector<std::string> texts;  // one per file (owns what `docs` views)
  std::vector<std::string_view> docs;
  std::vector<std::string> where;
};

bool IsDefinitionFile(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// The files `-f` names: a file as is, a folder's definition files sorted by path (recursively
// with `recursive`), "-" standard input.
Result<std::vector<std::string>> Expand(const std::vector<std::string>& args, bool recursive) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  bool stdin_taken = false;
  for (const std::string& arg : args) {
    if (arg == "-") {
      if (stdin_taken) return Status::InvalidArgument("-f -: standard input can be read once");
      stdin_taken = true;
      files.push_back(arg);
      continue;
    }
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      files.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    auto add = [&](const fs::directory_entry& e) {
      if (e.is_regular_file(ec) && IsDefinitionFile(e.path())) found.push_back(e.path().string());
    };
    if (recursive) {
      for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
        add(*it);
    } else {
      for (fs::directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) add(*it);
    }
    if (ec)
      return Status::NotFound(fmt::format("{}: cannot read the folder ({})", arg, ec.message()));
    if (found.empty())
      return Status::InvalidArgument(
          fmt::format("{}: no .yaml, .yml or .json files in the folder{}", arg,
                      recursive ? "" : " (-R reads subfolders)"));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    if (files.size() > kMaxDefinitionFiles)
      return Status::InvalidArgument(
          fmt::format("-f: more than {} files; apply them in parts", kMaxDefinitionFiles));
  }
  return files;
}

Result<Sources> ReadSources(const std::vector<std::string>& args, bool recursive) {
  SP_ASSIGN_OR_RETURN(std::vector<std::string> files, Expand(args, recursive));
  Sources s;
  s.texts.reserve(files.size());
  size_t total = 0;
  for (const std::string& file : files) {
    std::string text;
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in) return Status::NotFound(file + ": cannot read the file");
      std::ostringstream buf;
      buf << in.rdbuf();
      text = buf.str();
    }
    total += text.size();
    if (total > kMaxDefinitionBytes)
      return Status::InvalidArgument(
          fmt::format("{}: the definitions given pass {} MiB; apply them in parts", file,
                      kMaxDefinitionBytes >> 20));
    s.texts.push_back(std::move(text));
  }
  for (size_t f = 0; f < s.texts.size(); ++f) {
    const std::string name = files[f] == "-" ? "standard input" : files[f];
    auto parts = DefinitionDocuments(s.texts[f]);
    for (size_t i = 0; i < parts.size(); ++i) {
      s.docs.push_back(parts[i]);
      s.where.push_back(parts.size() > 1 ? fmt::format("{} (document {})", name, i + 1) : name);
    }
  }
  if (s.docs.empty()) return Status::InvalidArgument("no definitions in the files given");
  return s;
}

// An error of a multi-document apply named by its source: the engine's `failed` index locally; a
// server's "document N of M: " prefix remotely.
Status NameDocument(const Status& s, const Sources& src, std::optional<size_t> failed) {
  std::string message = s.message();
  if (!failed) {
    static const std::regex kPrefix(R"(^document (\d+) of \d+: )");
    std::smatch m;
    if (std::regex_search(message, m, kPrefix)) {
      failed = std::stoul(m[1].str()) - 1;
      message = m.suffix().str();
    } else if (src.docs.size() == 1) {
      failed = 0;
    }
  }
  if (!failed || *failed >= src.where.size()) return s;
  return Status(s.code(), src.where[*failed] + ": " + message);
}

// The documents joined into one text of several documents, as the HTTP API takes them.
std::string Joined(const Sources& src) {
  std::string body;
  for (std::string_view d : src.docs) {
    if (!body.empty()) body += body.back() == '\n' ? "---\n" : "\n---\n";
    body += d;
  }
  return body;
}

// Applies (or plans) the documents on `engine`, or on the server when it is null (remote mode);
// the result as the API's JSON.
Result<json> ApplyOrPlan(Globals& g, Engine* engine, const Sources& src, std::string_view note,
                         bool dry_run) {
  if (engine == nullptr) {
    json params = json::object();
    if (!note.empty()) params["note"] = note;
    if (dry_run) params["dry_run"] = "true";
    auto r = RemoteCall(g, "POST", "/api/definitions" + QueryString(params), Joined(src),
                        "application/yaml");
    if (!r.ok()) return NameDocument(r.status(), src, std::nullopt);
    return r;
  }
  size_t failed = 0;
  Result<AppliedDefinitions> r = dry_run ? engine->PlanDocuments(src.docs, &failed)
                                         : engine->ApplyDocuments(src.docs, note, &failed);
  if (!r.ok()) return NameDocument(r.status(), src, failed);
  return wire::ToJson(*r);
}

// An answer about one definition or several ({key: [...]}) as a list.
std::vector<json> ListOf(const json& doc, const char* key) {
  if (doc.contains(key) && doc[key].is_array()) return doc[key].get<std::vector<json>>();
  return {doc};
}

void PrintApplied(const json& doc) {
  const bool dry_run = doc.value("dry_run", false);
  for (const json& a : ListOf(doc, "applied")) {
    std::cout << a["kind"].get<std::string>() << "/" << a["id"].get<std::string>() << " "
              << a["action"].get<std::string>() << " (version " << a["version"].get<uint64_t>()
              << ")" << (dry_run ? " (dry run)" : "") << "\n";
  }
}

// A unified diff of `before` (the stored version) and `after` (the document), line by line.
std::string UnifiedDiff(std::string_view before, std::string_view after, const std::string& label_a,
                        const std::string& label_b) {
  auto lines = [](std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      std::string line(text.substr(start, nl - start));
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(std::move(line));
      start = nl + 1;
    }
    return out;
  };
  std::vector<std::string> a = lines(before), b = lines(after);
  dtl::Diff<std::string> d(a, b);
  d.onHuge();  // bounded memory for long definitions
  d.compose();
  d.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << label_a << "\n+++ " << label_b << "\n";
  d.printUnifiedFormat(out);
  return out.str();
}

void RegisterApply(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("apply",
                                 "Validate and store definitions (funnel, segment, journey, "
                                 "template, channel, settings, tracking_plan)");
  auto files = std::make_shared<std::vector<std::string>>();
  auto note = std::make_shared<std::string>();
  auto recursive = std::make_shared<bool>(false);
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename,--file", *files,
                  "YAML or JSON definitions: a file, a folder (its .yaml/.yml/.json files) or - "
                  "(standard input); repeat -f; `---` separates documents")
      ->required();
  cmd->add_flag("-R,--recursive", *recursive, "Read the folders given to -f and their subfolders");
  cmd->add_flag("--dry-run", *dry_run,
                "Check everything and say what would change (created, configured, unchanged); "
                "store nothing");
  cmd->add_option("--note", *note, "Change note (else the definition's `note`)");
  cmd->callback([&g, files, note, recursive, dry_run] {
    auto src = ReadSources(*files, *recursive);
    if (!src.ok()) {
      g.exit_code = PrintError(src.status());
      return;
    }
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          return Show(g, ApplyOrPlan(g, &engine, *src, *note, *dry_run), PrintApplied);
        },
        [&] { return Show(g, ApplyOrPlan(g, nullptr, *src, *note, *dry_run), PrintApplied); });
  });
}

void RegisterDiff(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "diff",
      "What `apply` would change: a unified diff of each document against its stored latest "
      "version; exit code 0 when nothing would change, 1 when something would, 2 on an error");
  auto files = std::make_shared<std::vector<std::string>>();
  auto recursive = std::make_shared<bool>(false);
  cmd->add_option("-f,--filename,--file", *files, "As for apply: files, folders or -")->required();
  cmd->add_flag("-R,--recursive", *recursive, "Read the folders given to -f and their subfolders");
  cmd->callback([&g, files, recursive] {
    auto fail = [&](const Status& s) {  // exit code 2, as kubectl diff on an error
      PrintError(s);
      g.exit_code = 2;
    };
    auto src = ReadSources(*files, *recursive);
    if (!src.ok()) return fail(src.status());
    // The plan and the stored texts: from the engine, or from the server in remote mode.
    std::unique_ptr<Engine> engine;
    if (!IsRemote(g)) {
      auto opened = OpenEngine(g, false);
      if (!opened.ok()) return fail(opened.status());
      engine = std::move(*opened);
    }
    auto plan = ApplyOrPlan(g, engine.get(), *src, "", /*dry_run=*/true);
    if (!plan.ok()) return fail(plan.status());
    auto stored_text = [&](const std::string& kind, const std::string& id) -> Result<json> {
      if (engine) return Written(engine->GetDefinition(*DefinitionKindNamed(kind), id));
      return RemoteCall(g, "GET",
                        fmt::format("/api/definitions/{}/{}", UrlEncode(kind), UrlEncode(id)));
    };
    json changes = json::array();
    std::string text;
    const std::vector<json> planned = ListOf(*plan, "applied");
    for (size_t i = 0; i < planned.size() && i < src->docs.size(); ++i) {
      const std::string action = planned[i]["action"].get<std::string>();
      if (action == "unchanged") continue;
      const std::string kind = planned[i]["kind"].get<std::string>();
      const std::string id = planned[i]["id"].get<std::string>();
      std::string stored;
      uint64_t stored_version = 0;
      if (action == "configured") {
        auto current = stored_text(kind, id);
        if (!current.ok()) return fail(current.status());
        stored = (*current)["body"].get<std::string>();
        stored_version = (*current)["version"].get<uint64_t>();
      }
      const std::string name = fmt::format("{}/{}", kind, id);
      const std::string diff = UnifiedDiff(
          stored, src->docs[i],
          stored_version ? fmt::format("{} (version {})", name, stored_version) : "/dev/null",
          fmt::format("{} ({})", name, src->where[i]));
      text += diff;
      changes.push_back({{"kind", kind},
                         {"id", id},
                         {"action", action},
                         {"stored_version", stored_version},
                         {"diff", diff}});
    }
    if (g.json) {
      PrintJson({{"changes", changes}});
    } else {
      std::cout << text;
    }
    g.exit_code = changes.empty() ? 0 : 1;
  });
}

void RegisterDelete(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "delete",
      "Delete a funnel, segment, template or channel definition (every version), refused while "
      "another definition uses it: `delete KIND ID` or `delete -f FILES` (the documents' kinds "
      "and ids)");
  auto kind_name = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto recursive = std::make_shared<bool>(false);
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("kind", *kind_name, "funnel | segment | template | channel");
  cmd->add_option("id", *id, "The definition's id");
  cmd->add_option("-f,--filename,--file", *files, "Delete what these files define (as for apply)");
  cmd->add_flag("-R,--recursive", *recursive, "Read the folders given to -f and their subfolders");
  cmd->add_flag("--dry-run", *dry_run, "Only check that the delete would be accepted");
  cmd->callback([&g, kind_name, id, files, recursive, dry_run] {
    // What to delete: (kind, id) pairs, with where each came from.
    std::vector<std::pair<DefinitionKind, std::string>> targets;
    if (files->empty() == (kind_name->empty() || id->empty())) {
      g.exit_code = PrintError(Status::InvalidArgument(
          "delete: give either KIND ID (e.g. `delete funnel checkout`) or -f FILES"));
      return;
    }
    if (files->empty()) {
      auto kind = DefinitionKindNamed(*kind_name);
      if (!kind) {
        g.exit_code = PrintError(Status::InvalidArgument(fmt::format(
            "kind: '{}' is not a kind; use funnel, segment, template or channel", *kind_name)));
        return;
      }
      targets.emplace_back(*kind, *id);
    } else {
      auto src = ReadSources(*files, *recursive);
      if (!src.ok()) {
        g.exit_code = PrintError(src.status());
        return;
      }
      for (size_t i = 0; i < src->docs.size(); ++i) {
        auto kind_id = DefinitionKindAndId(src->docs[i]);
        if (!kind_id.ok()) {
          g.exit_code = PrintError(NameDocument(kind_id.status(), *src, i));
          return;
        }
        targets.push_back(std::move(*kind_id));
      }
    }
    // Each target through `remove` (the engine's delete, or the server's), then one answer.
    auto run = [&](auto remove) {
      json deleted = json::array();
      for (const auto& [kind, target] : targets) {
        Result<json> r = remove(kind, target);
        if (!r.ok()) return PrintError(r.status());
        deleted.push_back(std::move(*r));
      }
      return Show(g, deleted.size() == 1 ? deleted[0] : json{{"deleted", deleted}},
                  [](const json& doc) {
                    for (const json& d : ListOf(doc, "deleted"))
                      std::cout << d["kind"].get<std::string>() << "/" << d["id"].get<std::string>()
                                << " deleted (" << d["versions"].get<uint64_t>() << " versions)"
                                << (d.value("dry_run", false) ? " (dry run)" : "") << "\n";
                  });
    };
    LocalOrRemote(
        g, false,
        [&](Engine& engine) {
          return run([&](DefinitionKind kind, const std::string& target) {
            return Written(engine.DeleteDefinition(kind, target, *dry_run));
          });
        },
        [&] {
          return run([&](DefinitionKind kind, const std::string& target) {
            return RemoteCall(g, "DELETE",
                              fmt::format("/api/definitions/{}/{}{}", DefinitionKindName(kind),
                                          UrlEncode(target), *dry_run ? "?dry_run=true" : ""));
          });
        });
  });
}

}  // namespace

void RegisterDefinitions(CLI::App& app, Globals& g) {
  RegisterApply(app, g);
  RegisterDiff(app, g);
  RegisterDelete(app, g);
}

}  // namespace signpost::cli
