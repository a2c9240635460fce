#include "cli/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

#include "domain/sms_reminder.h"
#include "http/http.h"
#include "http/kannel_gateway.h"
#include "http/routes/api.h"
#include "http/static_files.h"
#include "http/tile_server.h"
#include "service/certificate_documents.h"
#include "service/reminder_job.h"
#include "service/sms_callback.h"
#include "service/sms_sender.h"
#include "store/store.h"

namespace herdpass::cli {
namespace {

// Row counts (kept in the database's counters table, so cheap to read) and the group-commit
// writer's figures: commits per job shows how well concurrent writes share fsyncs.
void RegisterStoreMetrics(http::MetricsRegistry& metrics, Store& store) {
  metrics.RegisterGaugeFamily("herdpass_records", "Rows stored, by kind", [&store] {
    std::vector<std::pair<http::Labels, double>> out;
    auto c = store.Counts();
    if (!c.ok()) return out;
    for (auto [kind, n] : {std::pair{"owners", c->owners},
                           {"animals", c->animals},
                           {"vaccinations", c->vaccinations},
                           {"users", c->users},
                           {"audit", c->audit_rows},
                           {"certificates", c->certificates}}) {
      out.push_back({{{"kind", kind}}, static_cast<double>(n)});
    }
    return out;
  });
  auto writer = [&store](int64_t WriterStats::*field) {
    return [&store, field] { return static_cast<double>(store.GetWriterStats().*field); };
  };
  metrics.RegisterGauge("herdpass_writer_jobs_total", "Write calls run by the writer",
                        writer(&WriterStats::jobs));
  metrics.RegisterGauge("herdpass_writer_commits_total", "Transactions committed (group commits)",
                        writer(&WriterStats::commits));
  metrics.RegisterGauge("herdpass_writer_failed_transactions_total",
                        "Groups that failed as a whole", writer(&WriterStats::failed_transactions));
  metrics.RegisterGauge("herdpass_writer_queued", "Write calls waiting for the writer",
                        writer(&WriterStats::queued));
}

}  // namespace

int Serve(const Deployment& d, ServiceConfig config, const ServeOptions& options) {
  // Block the stop signals and SIGHUP (reload the TLS certificate and key) before any thread is
  // made, so that every thread inherits the mask (a thread without it would take a SIGHUP's default
  // action: the end of the process); one thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  config.lookups_per_minute = options.lookups_per_minute;
  config.lookup_cache_bytes = static_cast<size_t>(options.lookup_cache_mib) << 20;
  config.field_copy_max_rows = options.field_copy_max_rows;
  config.key_cache_for = std::chrono::seconds(options.key_cache_seconds);
  if (config.key_dir.empty()) config.key_dir = KeyDir(d.data_dir);
  BackupSchedule backup = options.backup;
  if (!options.backup_every.empty()) {
    auto every = ParseBackupPeriod(options.backup_every);
    if (!every.ok()) return Fail(every.status());
    backup.every = *every;
  }
  // Usage errors first, found before the database is opened: the addresses and time, the proxies,
  // then the web app.
  if (!options.public_url.empty()) {
    auto url = ParsePublicUrl(options.public_url);
    if (!url.ok()) return Fail(url.status());
    config.public_url = *url;
  }
  http::TileServer tiles;
  if (!options.tile_url.empty()) {
    auto parsed = http::ParseTileServer(options.tile_url, options.tile_attribution);
    if (!parsed.ok()) return Fail(parsed.status());
    tiles = std::move(parsed).value();
    config.map_tile_url = tiles.url;
    config.map_tile_attribution = tiles.attribution;
  } else if (!options.tile_attribution.empty()) {
    return Fail(InvalidArgument("tile-attribution", "--tile-attribution goes with --tile-url"));
  }
  if (!options.utc_offset.empty()) {
    auto offset = ParseUtcOffset(options.utc_offset);
    if (!offset.ok()) return Fail(offset.status());
    config.local_utc_offset = *offset;
  }
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (Status s = http::CheckTlsFiles(options.tls_cert, options.tls_key); !s.ok()) return Fail(s);
  } else if (options.redirect_port != 0) {
    return Fail(InvalidArgument("redirect-port",
                                "--redirect-port redirects to HTTPS: it needs --tls-cert and "
                                "--tls-key"));
  }
  if (options.redirect_port < 0 || options.redirect_port > 65535) {
    return Fail(InvalidArgument("redirect-port", "--redirect-port must be a port, 1..65535"));
  }
  if (!options.sms_gateway.empty()) {
    if (Status s = http::CheckSendsmsUrl(options.sms_gateway); !s.ok()) return Fail(s);
  }
  if (!options.sms_callback_url.empty() && options.sms_secret.empty()) {
    return Fail(InvalidArgument("sms-secret",
                                "--sms-callback-url needs --sms-secret (or HERDPASS_SMS_SECRET): "
                                "it keys the delivery reports' tokens"));
  }
  if (options.sms_per_minute < 1 || options.sms_per_owner_per_day < 1) {
    return Fail(InvalidArgument("sms-per-minute",
                                "--sms-per-minute and --sms-per-owner-per-day must be at least 1"));
  }
  if (options.sms_print_codes && !options.sms_gateway.empty()) {
    return Fail(InvalidArgument("sms-print-codes",
                                "--sms-print-codes is for a demo with no gateway: with "
                                "--sms-gateway the codes go by SMS only"));
  }
  config.print_owner_codes = options.sms_print_codes;
  if (options.sms_window < 1 || options.sms_window > 10000) {
    return Fail(InvalidArgument("sms-window", "--sms-window must be from 1 to 10000"));
  }
  std::optional<std::chrono::minutes> reminders_at;
  if (!options.no_sms_reminders) {
    auto at = ParseTimeOfDay(options.sms_reminders_at, "sms-reminders-at");
    if (!at.ok()) return Fail(at.status());
    reminders_at = *at;
  }
  if (options.sms_reminder_days < 1 || options.sms_reminder_days > kReminderDaysMax) {
    return Fail(InvalidArgument("sms-reminder-days", "--sms-reminder-days must be from 1 to " +
                                                         std::to_string(kReminderDaysMax)));
  }
  config.reminder_days = options.sms_reminder_days;
  config.sms_secret = options.sms_secret;
  config.sms_gateway = !options.sms_gateway.empty();
  if (!options.sms_inbound_from.empty()) {
    if (auto nets = http::TrustedProxies::Parse(options.sms_inbound_from); !nets.ok()) {
      return Fail(InvalidArgument("sms-inbound-from",
                                  "--sms-inbound-from takes networks like "
                                  "10.0.0.0/8 or single addresses"));
    }
    config.sms_inbound_from = options.sms_inbound_from;
  }
  if (!options.sms_secret.empty() && !options.sms_callback_url.empty()) {
    // What the operator writes as the sms-service's post-url in kannel.conf (docs/sms.md).
    spdlog::info(
        "sms: owners' messages taken at post-url \"{}/api/v1/sms/inbound?token={}"
        "&from=%p&to=%P&id=%I&time=%T\"",
        options.sms_callback_url, SmsInboundToken(options.sms_secret));
  }
  auto proxies = http::TrustedProxies::Parse(options.trusted_proxies);
  if (!proxies.ok()) return Fail(proxies.status());
  std::unique_ptr<http::StaticFiles> web;
  if (options.web_dir.empty()) {
    web = http::StaticFiles::NotBuilt();
    spdlog::info("web app: none (serve --web DIR to serve one)");
  } else {
    auto loaded =
        http::StaticFiles::Load(options.web_dir, http::ContentSecurityPolicy(tiles.origin));
    if (!loaded.ok()) return Fail(loaded.status());
    web = std::move(loaded).value();
    spdlog::info("web app: {} ({} files, {} KiB, {} KiB gzipped)", options.web_dir,
                 web->file_count(), (web->total_bytes() + 1023) / 1024,
                 (web->gzipped_bytes() + 1023) / 1024);
  }
  auto opened = OpenDataDir(d, config);
  if (!opened.ok()) return Fail(opened.status());

  http::MetricsRegistry metrics;
  RegisterStoreMetrics(metrics, *opened.value()->store);
  // SMS to owners (W15): the sender hands the outbox to smsbox; with no gateway the messages stay
  // queued, visible to admins (GET /api/v1/sms/messages).
  std::unique_ptr<http::KannelGateway> sms_gateway;
  std::unique_ptr<SmsSender> sms_sender;  // after the store: stopped before it closes
  if (options.sms_gateway.empty()) {
    auto due = opened.value()->store->ListDueSms(kLastStoredInstant, 1000);
    const std::string queued =
        due.ok() ? std::to_string(due->size()) + (due->size() == 1000 ? "+" : "") + " queued now"
                 : "the queue could not be read: " + due.status().ToString();
    spdlog::warn(
        "sms: no gateway configured (serve --sms-gateway): messages to owners stay queued ({})",
        queued);
  } else {
    sms_gateway = std::make_unique<http::KannelGateway>(http::KannelGatewayOptions{
        options.sms_gateway, options.sms_user, options.sms_password, options.sms_callback_url,
        options.sms_secret, options.sms_from, std::chrono::seconds(10)});
    SmsSenderOptions sender_options;
    sender_options.utc_offset = config.local_utc_offset;
    sender_options.limits.global_per_minute = options.sms_per_minute;
    sender_options.limits.per_owner_per_day = options.sms_per_owner_per_day;
    sender_options.window = options.sms_window;
    sms_sender = std::make_unique<SmsSender>(
        *opened.value()->store, opened.value()->service->clock(), *sms_gateway, sender_options);
    sms_sender->Start();
    spdlog::info(
        "sms: sending through {} ({} a minute at most, {} per owner a day, {} in flight at most)",
        options.sms_gateway, options.sms_per_minute, options.sms_per_owner_per_day,
        options.sms_window);
  }
  // W15's nightly reminders: queued whether or not a gateway takes them (they wait in the outbox).
  std::unique_ptr<ReminderJob> reminders;
  if (reminders_at) {
    reminders = std::make_unique<ReminderJob>(
        *opened.value()->service, opened.value()->service->clock(),
        ReminderJobOptions{*reminders_at, config.local_utc_offset, std::chrono::seconds(30)});
    reminders->Start();
    spdlog::info(
        "sms: reminders nightly at {} local time (next {}), of coverage lapsing within "
        "{} days",
        options.sms_reminders_at, FormatRfc3339(reminders->next_run()), config.reminder_days);
  } else {
    spdlog::info("sms: no nightly reminders (--no-sms-reminders)");
  }
  std::unique_ptr<BackupScheduler> backups;  // before the server: stopped after it
  if (backup.every.count() > 0) {
    backups = std::make_unique<BackupScheduler>(d.data_dir, backup);
    RegisterBackupMetrics(metrics, *backups);
    spdlog::info("backups every {} s into {}, keeping {}", backup.every.count(), backups->dir(),
                 backup.keep);
  }
  // The API, then the web app (or the page saying it was not built) behind it: any API route wins
  // over the static catch-all (http/router.h). Registered here rather than in RegisterApiRoutes,
  // since the OpenAPI document describes the API alone.
  http::Router router;
  http::RegisterApiRoutes(router, *opened.value()->service, metrics);
  http::RegisterStaticRoute(router, *web);
  http::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.handler_threads = options.handler_threads;
  server_options.metrics = &metrics;
  server_options.trusted_proxies = std::move(proxies).value();
  server_options.tls_cert = options.tls_cert;
  server_options.tls_key = options.tls_key;
  if (options.redirect_port != 0) {
    const std::string& listen = options.listen;
    server_options.redirect_listen =
        listen.substr(0, listen.rfind(':') + 1) + std::to_string(options.redirect_port);
  }
  for (const auto& p : options.trusted_proxies) {
    spdlog::info("trusted proxy: {} (its X-Forwarded-For names the client)", p);
  }
  http::Server server(server_options, router);
  auto port = server.Start();
  if (!port.ok()) return Fail(port.status());
  std::cout << "herdpass serving " << d.data_dir << " on " << options.listen << " (port "
            << port.value() << (options.tls_cert.empty() ? "" : ", https") << ")" << std::endl;
  if (server.redirect_port() != 0) {
    std::cout << "herdpass redirecting http on port " << server.redirect_port() << " to https"
              << std::endl;
  }

  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    if (options.tls_cert.empty()) {
      spdlog::info("SIGHUP: no TLS certificate to reload");
    } else if (Status s = server.ReloadTls(); s.ok()) {
      spdlog::info("SIGHUP: TLS certificate {} and key {} reloaded", options.tls_cert,
                   options.tls_key);
    } else {
      spdlog::error("SIGHUP: TLS reload failed, keeping the certificate in use: {}", s.message());
    }
  }
  spdlog::info("signal {}: stopping", sig);
  server.Stop();
  if (reminders) reminders->Stop();
  if (sms_sender) sms_sender->Stop();
  return 0;
}

}  // namespace herdpass::cli
