// Replays a fuzz target over saved inputs: the seed corpus and the regression cases.
//
// This is the idea of libFuzzer's StandaloneFuzzTargetMain.c, written by hand because g++ has no
// libFuzzer: a main() that feeds every file of the directories (or the single files) named on the
// command line to LLVMFuzzerTestOneInput, once each, in name order. A failed property aborts, so
// ctest reports the test as failed and the last "replay:" line names the input. `make test` links
// every target with this driver; `make fuzz` links them with -fsanitize=fuzzer instead.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// A directory's README.md explains the folder; it is not an input.
bool IsInput(const fs::path& p) {
  const std::string name = p.filename().string();
  return name != "README.md" && !name.empty() && name[0] != '.';
}

bool RunFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
  // An exact-size heap copy, as libFuzzer passes it, so that AddressSanitizer sees a read past the
  // end of the input.
  auto buf = std::make_unique<uint8_t[]>(bytes.size());
  std::memcpy(buf.get(), bytes.data(), bytes.size());
  LLVMFuzzerTestOneInput(buf.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_regular_file(arg, ec)) {
      if (!RunFile(arg)) return 1;
      ++runs;
      continue;
    }
    if (!fs::is_directory(arg, ec)) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 1;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(arg)) {
      if (e.is_regular_file() && IsInput(e.path())) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (!RunFile(f)) return 1;
      ++runs;
    }
  }
  std::fprintf(stderr, "replay: %zu inputs, all passed\n", runs);
  return 0;
}
