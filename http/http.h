// The public face of http/: include this in endpoint code. No Beast type appears in these headers.
#pragma once

#include "http/metrics.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"
