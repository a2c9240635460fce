// The HTTP API of HerdPass (DESIGN.md section 7): one thin function per endpoint over HerdService.
#pragma once

#include <string_view>

#include "http/metrics.h"
#include "http/router.h"
#include "service/service.h"

namespace herdpass::http {

// The OpenAPI 3 document served at /api/v1/openapi.json (http/routes/openapi.json, embedded at
// build time). tests/api checks that it lists exactly the routes registered here.
std::string_view OpenApiDocument();

// Registers every route on `router`. `service` and `metrics` must outlive the router.
void RegisterApiRoutes(Router& router, HerdService& service, MetricsRegistry& metrics);

}  // namespace herdpass::http
