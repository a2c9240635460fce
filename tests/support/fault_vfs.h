// A wrapping SQLite VFS that fails chosen writes or syncs, for failure-path tests (the idea of
// SQLite's src/test_vfs.c and leveldb's fault injection Env).
//
// FaultVfs::Register("fault") registers a VFS named "fault" that forwards everything to the default
// VFS, except that xWrite and xSync of files opened through it can be made to fail with
// SQLITE_IOERR. Open a store on it with SqliteOptions::vfs = "fault".
//
// Thread-safe: the controls may be called from any thread while connections use the VFS. A FaultVfs
// lives until the process ends (SQLite keeps a pointer to it while registered).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace herdpass {

class FaultVfs {
 public:
  // Registers the VFS `name` (once; later calls with the same name return the same object).
  static FaultVfs& Register(const std::string& name);

  const std::string& name() const;

  // The nth xWrite (n >= 1; 1 = the next one) from now fails, once. n <= 0 disarms.
  void FailNthWrite(int64_t n);
  // The nth xSync (n >= 1) from now fails, once. n <= 0 disarms.
  void FailNthSync(int64_t n);
  // Every xWrite / xSync fails until Clear().
  void FailAllWrites();
  void FailAllSyncs();
  // Disarms every fault.
  void Clear();

  // Calls seen and faults injected since registration.
  int64_t writes() const;
  int64_t syncs() const;
  int64_t injected_faults() const;

  struct Impl;
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;
  ~FaultVfs();

 private:
  explicit FaultVfs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace herdpass
