// A named SQL statement. Each backend keeps its statements as `inline constexpr` constants of this
// type (store/<backend>/queries.h); the name is what logs and metrics show, the SQL text never
// leaves the backend. Statements are cached by the constant's address, one per program.
#pragma once

namespace herdpass::store {

struct Query {
  const char* name;
  const char* sql;
};

}  // namespace herdpass::store
