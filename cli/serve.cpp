#include "cli/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

#include "http/http.h"
#include "http/routes/api.h"

namespace herdpass::cli {

int Serve(const Deployment& d, ServiceConfig config, const ServeOptions& options) {
  config.lookups_per_minute = options.lookups_per_minute;
  auto opened = OpenDataDir(d, config);
  if (!opened.ok()) return Fail(opened.status());

  // Block the stop signals in every thread; one thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::MetricsRegistry metrics;
  http::Router router;
  http::RegisterApiRoutes(router, *opened.value()->service, metrics);
  http::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.handler_threads = options.handler_threads;
  server_options.metrics = &metrics;
  http::Server server(server_options, router);
  auto port = server.Start();
  if (!port.ok()) return Fail(port.status());
  std::cout << "herdpass serving " << d.data_dir << " on " << options.listen << " (port "
            << port.value() << ")" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  server.Stop();
  return 0;
}

}  // namespace herdpass::cli
