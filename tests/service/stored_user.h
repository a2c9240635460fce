// Test users of the service tests: made straight in the store, without the service.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "service/service.h"
#include "store/store.h"

namespace herdpass::testing {

// A user made straight in the store (no password hashing: fast), as the service would see them
// signed in from 10.0.0.1. A store that refuses the user fails the calling test.
inline Caller StoredUser(Store& store, const std::string& name, Role role,
                         const std::string& authority) {
  NewUser u;
  u.username = name;
  u.password_hash = "unused";
  u.role = role;
  u.authority = authority;
  auto created = store.CreateUser(u, AuditEntry{});
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  Caller c;
  c.user_id = created.ok() ? created->id : 0;
  c.username = name;
  c.role = role;
  c.authority = authority;
  c.address = "10.0.0.1";
  return c;
}

}  // namespace herdpass::testing
