// Hand-written rather than SQLite's test_vfs.c because that file is part of SQLite's Tcl test
// harness, not of the library Debian ships.
#include "tests/support/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

namespace herdpass {

struct FaultVfs::Impl {
  std::string name;
  sqlite3_vfs vfs{};  // what SQLite sees; pAppData points back here
  sqlite3_vfs* base = nullptr;

  std::mutex mu;
  int64_t write_countdown = 0;   // guarded by mu; 0 = disarmed
  int64_t sync_countdown = 0;    // guarded by mu
  bool fail_all_writes = false;  // guarded by mu
  bool fail_all_syncs = false;   // guarded by mu

  std::atomic<int64_t> writes{0};
  std::atomic<int64_t> syncs{0};
  std::atomic<int64_t> faults{0};

  // Counts one call and says whether it must fail.
  bool ShouldFail(int64_t& countdown, bool fail_all, std::atomic<int64_t>& calls) {
    ++calls;
    bool fail = fail_all;
    if (countdown > 0 && --countdown == 0) fail = true;
    if (fail) ++faults;
    return fail;
  }
  bool FailWrite() {
    std::lock_guard lock(mu);
    return ShouldFail(write_countdown, fail_all_writes, writes);
  }
  bool FailSync() {
    std::lock_guard lock(mu);
    return ShouldFail(sync_countdown, fail_all_syncs, syncs);
  }
};

namespace {

// Our file: the sqlite3_file header, then the base VFS's file in the same allocation.
struct FaultFile {
  sqlite3_file base;
  FaultVfs::Impl* owner;
  sqlite3_file* real;
};
static_assert(sizeof(FaultFile) % 8 == 0);

FaultFile* AsFault(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return AsFault(f)->real; }
FaultVfs::Impl* Owner(sqlite3_vfs* vfs) { return static_cast<FaultVfs::Impl*>(vfs->pAppData); }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (AsFault(f)->owner->FailWrite()) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (AsFault(f)->owner->FailSync()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  if (Real(f)->pMethods->iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  if (Real(f)->pMethods->iVersion < 3) return SQLITE_OK;
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kIoMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  FaultVfs::Impl* owner = Owner(vfs);
  FaultFile* f = AsFault(file);
  f->owner = owner;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->real->pMethods = nullptr;
  int rc = owner->base->xOpen(owner->base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    file->pMethods = nullptr;
    return rc;
  }
  file->pMethods = &kIoMethods;
  return SQLITE_OK;
}

sqlite3_vfs* Base(sqlite3_vfs* vfs) { return Owner(vfs)->base; }

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Base(vfs)->xDlOpen(Base(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Base(vfs)->xDlError(Base(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* sym))(void) {
  return Base(vfs)->xDlSym(Base(vfs), lib, sym);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { Base(vfs)->xDlClose(Base(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Base(vfs)->xSleep(Base(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError ? Base(vfs)->xGetLastError(Base(vfs), n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  if (Base(vfs)->iVersion >= 2 && Base(vfs)->xCurrentTimeInt64 != nullptr) {
    return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
  }
  double days = 0;
  int rc = Base(vfs)->xCurrentTime(Base(vfs), &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, FaultVfs*>& Registry() {
  static auto* registry = new std::map<std::string, FaultVfs*>();
  return *registry;
}

}  // namespace

FaultVfs::FaultVfs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaultVfs::~FaultVfs() = default;

FaultVfs& FaultVfs::Register(const std::string& name) {
  std::lock_guard lock(RegistryMutex());
  auto& registry = Registry();
  if (auto it = registry.find(name); it != registry.end()) return *it->second;

  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->base = sqlite3_vfs_find(nullptr);
  if (impl->base == nullptr) throw std::runtime_error("sqlite has no default VFS");
  sqlite3_vfs& v = impl->vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(FaultFile)) + impl->base->szOsFile;
  v.mxPathname = impl->base->mxPathname;
  v.zName = impl->name.c_str();
  v.pAppData = impl.get();
  v.xOpen = Open;
  v.xDelete = Delete;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xDlOpen = DlOpen;
  v.xDlError = DlError;
  v.xDlSym = DlSym;
  v.xDlClose = DlClose;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  v.xCurrentTime = CurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = CurrentTimeInt64;

  // Intentionally never freed: SQLite may use the VFS until the process ends.
  auto* vfs = new FaultVfs(std::move(impl));
  if (sqlite3_vfs_register(&vfs->impl_->vfs, 0) != SQLITE_OK) {
    throw std::runtime_error("cannot register the fault VFS");
  }
  registry.emplace(name, vfs);
  return *vfs;
}

const std::string& FaultVfs::name() const { return impl_->name; }

void FaultVfs::FailNthWrite(int64_t n) {
  std::lock_guard lock(impl_->mu);
  impl_->write_countdown = n > 0 ? n : 0;
}
void FaultVfs::FailNthSync(int64_t n) {
  std::lock_guard lock(impl_->mu);
  impl_->sync_countdown = n > 0 ? n : 0;
}
void FaultVfs::FailAllWrites() {
  std::lock_guard lock(impl_->mu);
  impl_->fail_all_writes = true;
}
void FaultVfs::FailAllSyncs() {
  std::lock_guard lock(impl_->mu);
  impl_->fail_all_syncs = true;
}
void FaultVfs::Clear() {
  std::lock_guard lock(impl_->mu);
  impl_->write_countdown = 0;
  impl_->sync_countdown = 0;
  impl_->fail_all_writes = false;
  impl_->fail_all_syncs = false;
}

int64_t FaultVfs::writes() const { return impl_->writes.load(); }
int64_t FaultVfs::syncs() const { return impl_->syncs.load(); }
int64_t FaultVfs::injected_faults() const { return impl_->faults.load(); }

}  // namespace herdpass
