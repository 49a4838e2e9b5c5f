#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace signpost::cli {

int PrintError(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

void PrintJson(const nlohmann::json& doc) { std::cout << doc.dump(2) << "\n"; }

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void DrawProgress(const ImportProgress& p, double seconds) {
  constexpr int kWidth = 30;
  double frac = p.bytes_total ? double(p.bytes_read) / double(p.bytes_total) : 0.0;
  int filled = int(frac * kWidth);
  double rate = seconds > 0 ? double(p.accepted + p.duplicates + p.rejected) / seconds : 0;
  fmt::print(stderr, "\r[{}{}] {:5.1f}%  {} accepted  {} duplicates  {} rejected  {:.0f} events/s ",
             std::string(filled, '#'), std::string(kWidth - filled, '.'), frac * 100, p.accepted,
             p.duplicates, p.rejected, rate);
  std::fflush(stderr);
}

}  // namespace signpost::cli
