// `herdpass serve`: wires the store, the service and the HTTP server, and runs until
// SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/backup.h"
#include "cli/commands.h"

namespace herdpass::cli {

struct ServeOptions {
  std::string listen;  // "" = the deployment's
  int handler_threads = 32;
  int lookups_per_minute = 600;
  int lookup_cache_mib = 16;  // W2's answer cache (ServiceConfig::lookup_cache_bytes)
  // W10: GET /field-copy (ServiceConfig::field_copy_max_rows)
  int64_t field_copy_max_rows = 400000;
  int key_cache_seconds = 5;  // ServiceConfig::key_cache_for
  std::string backup_every;   // "" = no scheduled backups; else ParseBackupPeriod's form
  BackupSchedule backup;      // `every` is set from backup_every
  std::string web_dir;        // the built web app (web/dist); "" = none: "/" says it was not built
  // --trusted-proxy: reverse proxies whose X-Forwarded-For names the client (http/client_address.h)
  std::vector<std::string> trusted_proxies;
  // --public-url: the address users reach the server at (ServiceConfig::public_url); "" = unknown
  std::string public_url;
  // --tile-url, --tile-attribution: the map's tile server (http/tile_server.h); "" = none, the map
  // is drawn on a blank ground
  std::string tile_url;
  std::string tile_attribution;
  // --utc-offset: local time for certificate validity and the printed page (ParseUtcOffset's
  // form); "" = the ServiceConfig default
  std::string utc_offset;
  // --tls-cert, --tls-key: HTTPS (http::ServerOptions); both or neither. SIGHUP reads them again.
  std::string tls_cert;
  std::string tls_key;
  // --redirect-port: a plain HTTP listener on the --listen address's host that only redirects to
  // https; 0 = none.
  int redirect_port = 0;
  // --- SMS to owners (W15, docs/sms.md) ---
  // --sms-gateway: smsbox's sendsms URL ("http://127.0.0.1:13013/cgi-bin/sendsms"); "" = none:
  // messages stay queued, and serve says so.
  std::string sms_gateway;
  std::string sms_user;      // --sms-user: the sendsms-user's username
  std::string sms_password;  // --sms-password (or HERDPASS_SMS_PASSWORD)
  std::string sms_secret;    // --sms-secret (or HERDPASS_SMS_SECRET): ServiceConfig::sms_secret
  // --sms-callback-url: how smsbox reaches this server, for delivery reports; "" = none asked
  std::string sms_callback_url;
  std::string sms_from;  // --sms-from: the sender number; "" = smsbox's global-sender
  // --sms-inbound-from: ServiceConfig::sms_inbound_from; empty = its default (loopback)
  std::vector<std::string> sms_inbound_from;
  int sms_per_minute = 600;       // --sms-per-minute: SmsLimits::global_per_minute
  int sms_per_owner_per_day = 5;  // --sms-per-owner-per-day: SmsLimits::per_owner_per_day
  bool sms_print_codes = false;   // --sms-print-codes: ServiceConfig::print_owner_codes
  int sms_window = 512;           // --sms-window: SmsSenderOptions::window
  // --sms-reminders-at: the local time (HH:MM) of the nightly reminder job (service/reminder_job.h)
  std::string sms_reminders_at = "02:00";
  bool no_sms_reminders = false;  // --no-sms-reminders: no nightly job
  int sms_reminder_days = 14;     // --sms-reminder-days: ServiceConfig::reminder_days
};

int Serve(const Deployment& d, ServiceConfig config, const ServeOptions& options);

}  // namespace herdpass::cli
