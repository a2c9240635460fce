// One libpq connection with its prepared statements, query parameters and results.
//
// Thread-compatible: a Connection is used by one thread at a time (the writer thread, or a reader
// that leased it from the pool). Private to store/postgres/: no libpq type leaves this folder.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "domain/status.h"
#include "domain/time.h"
#include "store/postgres/queries.h"

namespace herdpass::postgres {

// One query parameter in PostgreSQL's text format, or NULL. Built implicitly from the C++ value:
// integers as decimal, doubles in their shortest exact form, booleans as t/f, timestamps as
// milliseconds since the epoch and dates as days since 1970-01-01 (queries.h converts both with
// hp_ts() and hp_date()).
class Param {
 public:
  Param(int v) : value_(std::to_string(v)) {}                // NOLINT(google-explicit-constructor)
  Param(long v) : value_(std::to_string(v)) {}               // NOLINT(google-explicit-constructor)
  Param(long long v) : value_(std::to_string(v)) {}          // NOLINT(google-explicit-constructor)
  Param(bool v) : value_(v ? "t" : "f") {}                   // NOLINT(google-explicit-constructor)
  Param(double v);                                           // NOLINT(google-explicit-constructor)
  Param(std::optional<double> v);                            // NOLINT(google-explicit-constructor)
  Param(std::string_view v) : value_(std::string(v)) {}      // NOLINT(google-explicit-constructor)
  Param(const std::string& v) : value_(v) {}                 // NOLINT(google-explicit-constructor)
  Param(const char* v) : value_(std::string(v)) {}           // NOLINT(google-explicit-constructor)
  Param(std::nullopt_t) {}                                   // NOLINT(google-explicit-constructor)
  Param(const std::optional<std::string>& v) : value_(v) {}  // NOLINT(google-explicit-constructor)
  Param(Timestamp t);                                        // NOLINT(google-explicit-constructor)
  Param(std::optional<Timestamp> t);                         // NOLINT(google-explicit-constructor)
  Param(Date d) : value_(std::to_string(d.days())) {}        // NOLINT(google-explicit-constructor)
  Param(std::optional<Date> d);                              // NOLINT(google-explicit-constructor)

  const char* c_str() const { return value_ ? value_->c_str() : nullptr; }

 private:
  std::optional<std::string> value_;
};

// A query's result rows (text format). Movable, owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* res) : res_(res) {}
  Rows(Rows&&) noexcept = default;
  Rows& operator=(Rows&&) noexcept = default;

  int size() const { return PQntuples(res_.get()); }
  bool empty() const { return size() == 0; }
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t affected() const;
  // The command tag: "COMMIT", or "ROLLBACK" for a COMMIT of a transaction an error aborted.
  std::string command() const { return PQcmdStatus(res_.get()); }

  // Rows and columns are numbered from 0. REQUIRES: row < size().
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string Text(int row, int col) const;  // "" for NULL
  int64_t Int(int row, int col) const;       // 0 for NULL
  double Double(int row, int col) const;
  std::optional<double> OptDouble(int row, int col) const;
  bool Bool(int row, int col) const;  // PostgreSQL's 't'
  Timestamp Time(int row, int col) const {
    return Timestamp(std::chrono::milliseconds(Int(row, col)));
  }
  std::optional<Timestamp> OptTime(int row, int col) const;
  Date Day(int row, int col) const { return Date::FromDays(static_cast<int32_t>(Int(row, col))); }
  // A bigint[] in text form ("{1,2,3}").
  std::vector<int64_t> IntArray(int row, int col) const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> res_;
};

class Connection {
 public:
  // Connects with `conninfo` (a libpq keyword string or a postgresql:// URI). kUnavailable when the
  // server cannot be reached or refuses us; the log says why, the Status does not.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `query` as a prepared statement, prepared on this connection at its first use under the
  // query's name. Failures are mapped by SqlFailure.
  Result<Rows> Run(const Query& query, std::initializer_list<Param> params = {});
  Result<Rows> Run(const Query& query, std::span<const Param> params);
  // Runs each statement as Run, in pipeline mode all in one round trip; their rows in order.
  struct Statement {
    const Query& query;
    std::vector<Param> params;
  };
  Result<std::vector<Rows>> RunAll(const std::vector<Statement>& statements);
  // Runs a statement (or several, separated by ';') without parameters and without preparing it
  // (BEGIN, COMMIT, SAVEPOINT ...), in one round trip. The rows are those of the last statement.
  Result<Rows> Simple(const Query& query);
  Status Exec(const Query& query);
  // Runs a script of several statements (migrations) in one round trip.
  Status ExecScript(const Query& script);

  // Runs a statement whose rows are not needed (an UPDATE of counters): in pipeline mode it is
  // sent without waiting, and a failure is returned by the next call that waits (Run, Simple,
  // Sync, EndPipeline); outside pipeline mode it runs at once, as Run.
  Status Send(const Query& query, std::initializer_list<Param> params = {});
  // Whether the codecs' writes (postgres_store.cpp Write) are sent without waiting, as Send, while
  // in pipeline mode: only where any failure of theirs fails the whole job anyway (a W1 batch's
  // records). Otherwise a write waits for its answer, so that its failure is the job's own.
  // While writes are deferred, a Send of a statement with a set form (queries.h kCollected: a
  // record row, an owner's revision, a field change, an SMS receipt) is not sent but collected:
  // SendCollected sends each such statement's rows as ONE statement of its set form. Collected rows
  // are not seen by reads until then (the batch's reads of them are answered from its own copies).
  // Turning deferral off forgets whatever was collected and not sent.
  void SetDeferWrites(bool defer) {
    defer_writes_ = defer;
    if (!defer) collected_.clear();
  }
  bool DeferWrites() const { return pipeline_ && defer_writes_; }
  // How many rows are collected; DropCollected(mark) forgets those collected since (a record of
  // the batch rolled back to its savepoint).
  size_t CollectedMark() const { return collected_.size(); }
  void DropCollected(size_t mark) {
    if (mark < collected_.size()) collected_.resize(mark);
  }
  // Sends what was collected, one statement for each set form, without waiting; a failure comes
  // with the next call that waits. With `only`, sends the rows of that one-row statement alone
  // (keeping the others collected) and hands them to the server at once (PQflush), so that it
  // works on them while the caller goes on: call it only between the parts DropCollected undoes
  // (no mark taken since is still needed).
  Status SendCollected(const Query* only = nullptr);

  // libpq's pipeline mode: from BeginPipeline to EndPipeline, Exec and Send only send, and Run
  // (or Simple, one statement) sends its statement and waits for it and everything sent before it
  // in ONE round trip. Statements run in the order sent; after one fails the server skips the rest
  // up to the next wait, whose result is that failure. Used inside a transaction (the writer's);
  // REQUIRES: not already in pipeline mode. EndPipeline waits for what was sent and leaves the
  // mode (also after a failure); its result is the first failure.
  Status BeginPipeline();
  Status EndPipeline();
  bool InPipeline() const { return pipeline_; }
  // Waits for everything sent in pipeline mode; the first failure among them.
  Status Sync();
  // In pipeline mode, sends `query` ahead: a later Run of the same query with the same parameters
  // takes its rows (waiting for them, with everything sent before, if they have not come yet)
  // instead of running it again. Several reads sent ahead so take one round trip. Outside pipeline
  // mode, nothing.
  void SendAhead(const Query& query, std::initializer_list<Param> params);

  // Inside a transaction, failed or not. In pipeline mode with statements sent and not waited
  // for: true, and not (yet) failed.
  bool InTransaction();
  // Inside a transaction that an error aborted: only ROLLBACK (TO SAVEPOINT) is accepted.
  bool InFailedTransaction();
  // The connection to the server is lost.
  bool Broken() const;
  // Reconnects a broken connection with the same parameters; statements are prepared anew.
  Status Reset();

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status Prepare(const Query& query);
  Status Failure(const Query& query, const PGresult* res);

  // In pipeline mode: sends `query` (prepared first, in the pipeline, at its first use).
  Status SendPrepared(const Query& query, std::initializer_list<Param> params);
  Status SendPrepared(const Query& query, std::span<const Param> params);
  Status SendText(const Query& query);
  // The transaction status; in pipeline mode as of the last wait (libpq answers "active" for
  // as long as the mode lasts).
  PGTransactionStatusType TransactionStatus();
  // Sends a sync and reads every pending result; `kept` gets the rows of the last `keep`
  // statements.
  Status SyncPipeline(std::vector<Rows>* kept = nullptr, size_t keep = 0);

  // A statement sent in pipeline mode whose result has not been read.
  struct Pending {
    const Query* query;
    bool prepare;    // the PQsendPrepare of `query`
    int ahead = -1;  // its place in ahead_, if sent ahead
  };
  // A statement sent ahead, and its rows once they came.
  struct Ahead {
    const Query* query;
    std::string params;  // ParamsKey
    std::optional<Rows> rows;
    bool waiting = true;
  };
  static std::string ParamsKey(std::span<const Param> params);

  PGconn* conn_;
  std::unordered_set<const Query*> prepared_;
  bool pipeline_ = false;
  bool defer_writes_ = false;
  // Rows of statements with a set form, collected by Send while writes are deferred.
  struct Collected {
    const CollectedForm* form;
    std::vector<Param> params;
  };
  std::vector<Collected> collected_;
  std::vector<Pending> pending_;
  std::vector<Ahead> ahead_;
};

// How many times the connections of this process have waited for the server: one per statement
// run outside pipeline mode (and per statement prepared), one per wait in pipeline mode. For tests
// that pin the round trips of a use case.
int64_t RoundTrips();
// How many statements (or scripts of several, as Simple runs them) the connections of this process
// have sent, in or outside pipeline mode, preparations not counted. For tests that pin the
// statements of a use case.
int64_t Statements();

// Maps a failed statement to a Status safe to show a user (no SQL text, no key values) and logs
// the query's name with the server's primary message and SQLSTATE. A unique key conflict is
// kAlreadyExists, another integrity constraint kFailedPrecondition, a malformed request
// kInternal, and a lost or refused connection (or anything else) kUnavailable.
Status SqlFailure(const Query& query, const char* sqlstate, std::string_view message);

}  // namespace herdpass::postgres
