// herdpass: the server and its administration commands (DESIGN.md section 3, cli/).
#include <sodium.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "cli/backup.h"
#include "cli/commands.h"
#include "cli/serve.h"
#include "cli/tls.h"
#include "store/postgres/postgres_store.h"

namespace herdpass::cli {
namespace {

// Options that may also come from HERDPASS_* variables and DIR/herdpass.conf, in that order of
// precedence after the command line.
struct Common {
  Deployment d;
  std::string region_flag;
  std::string authority_flag;
  std::string db_flag;
};

void AddDataOption(CLI::App* cmd, Common& c) {
  cmd->add_option("--data", c.d.data_dir, "data directory")->required()->envname("HERDPASS_DATA");
  cmd->add_option("--db", c.db_flag,
                  "a postgresql:// URI to keep the records in PostgreSQL (default: SQLite in the "
                  "data directory; `init` records the choice in DIR/herdpass.conf)")
      ->envname("HERDPASS_DB");
}

Status Resolve(Common& c) {
  HP_RETURN_IF_ERROR(LoadDeployment(c.d));
  if (!c.db_flag.empty()) c.d.db = c.db_flag;
  if (!c.region_flag.empty()) c.d.region = c.region_flag;
  if (!c.authority_flag.empty()) c.d.authority = c.authority_flag;
  if (!PhoneNormalizer::IsKnownRegion(c.d.region)) {
    return InvalidArgument("region", "unknown region '" + c.d.region +
                                         "': use an ISO 3166 code such as KZ, CN, KG, UZ, TJ");
  }
  return ValidateAuthorityCode(c.d.authority, "authority");
}

ServiceConfig ConfigFor(const Deployment& d) {
  ServiceConfig config;
  config.default_region = d.region;
  config.country = CountryOf(d.authority);
  config.key_dir = KeyDir(d.data_dir);
  return config;
}

std::string RandomPassword() {
  // 18 random bytes as 24 base64url characters; libsodium's RNG, already initialized by the
  // service.
  unsigned char raw[18];
  randombytes_buf(raw, sizeof raw);
  char out[sodium_base64_ENCODED_LEN(18, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

int Init(Common& c) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  std::error_code ec;
  std::filesystem::create_directories(c.d.data_dir, ec);
  if (ec) return Fail(Unavailable("cannot create " + c.d.data_dir + ": " + ec.message()));
  ::chmod(c.d.data_dir.c_str(), 0700);
  auto exists = DatabaseExists(c.d);
  if (!exists.ok()) return Fail(exists.status());
  if (*exists) {
    return Fail(FailedPrecondition(
        (IsPostgresUri(c.d.db) ? std::string("the PostgreSQL database") : c.d.data_dir) +
        " already holds a HerdPass database"));
  }
  auto store = OpenStore(c.d);
  if (!store.ok()) return Fail(store.status());
  if (Status s = SaveDeployment(c.d); !s.ok()) return Fail(s);
  SystemClock clock;
  HerdService service(*store.value(), clock, DefaultCatalogue(), ConfigFor(c.d));
  const Caller system = HerdService::SystemCaller();
  if (Status s = service.AddAuthority(system, {c.d.authority, c.d.authority, ""}); !s.ok()) {
    return Fail(s);
  }
  const std::string password = RandomPassword();
  auto admin = service.AddUser(system, "admin", password, Role::kAdmin, c.d.authority);
  if (!admin.ok()) return Fail(admin.status());
  std::cout << "admin password: " << password << "\n";
  // A root key for the country and a signing key for this authority: a fresh node can issue.
  if (Status s = EnsureSigningKeys(service, c.d, std::cout); !s.ok()) return Fail(s);
  return 0;
}

// `authority`: the user's, "" for the node's.
int UserAdd(Common& c, const std::string& username, const std::string& role_name,
            const std::string& authority) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto role = ParseRole(role_name);
  if (!role.ok()) return Fail(role.status());
  std::string password;
  if (!std::getline(std::cin, password)) {
    return Fail(InvalidArgument("password", "give the password on standard input"));
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  auto user =
      opened.value()->service->AddUser(HerdService::SystemCaller(), username, password,
                                       role.value(), authority.empty() ? c.d.authority : authority);
  if (!user.ok()) return Fail(user.status());
  std::cout << "user " << user->username << " (" << RoleName(user->role) << ", " << user->authority
            << ") added\n";
  return 0;
}

int UserDisable(Common& c, const std::string& username, bool disabled) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  if (Status s =
          opened.value()->service->SetUserDisabled(HerdService::SystemCaller(), username, disabled);
      !s.ok()) {
    return Fail(s);
  }
  std::cout << "user " << username << (disabled ? " disabled\n" : " enabled\n");
  return 0;
}

int UserList(Common& c) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  auto users = opened.value()->service->ListUsers(HerdService::SystemCaller());
  if (!users.ok()) return Fail(users.status());
  std::cout << "username\trole\tauthority\tstatus\n";
  for (const auto& u : users.value()) {
    std::cout << u.username << "\t" << RoleName(u.role) << "\t" << u.authority << "\t"
              << (u.disabled ? "disabled" : "active") << "\n";
  }
  return 0;
}

int AuditVerify(Common& c) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  auto v = opened.value()->store->VerifyAudit();
  if (!v.ok()) return Fail(v.status());
  if (!v->ok) {
    std::cout << "audit log BROKEN at row " << v->first_bad_seq << ": " << v->problem << " ("
              << v->rows << " rows)\n";
    return 1;
  }
  std::cout << "audit log ok: " << v->rows << " rows, hash chain intact\n";
  return 0;
}

// W15: the reminder job once, now (serve runs it nightly): prints how many were queued.
int SmsRemind(Common& c, std::optional<int> days) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  auto run = opened.value()->service->QueueReminders(days);
  if (!run.ok()) return Fail(run.status());
  std::cout << "reminders queued: " << run->owners << " (coverage lapsing within " << run->days
            << " days)\n";
  return 0;
}

int Demo(Common& c, int owners, uint32_t seed) {
  if (Status s = Resolve(c); !s.ok()) return Fail(s);
  auto exists = DatabaseExists(c.d);
  if (!exists.ok()) return Fail(exists.status());
  if (!*exists) {
    if (int rc = Init(c); rc != 0) return rc;
  }
  auto opened = OpenDataDir(c.d, ConfigFor(c.d));
  if (!opened.ok()) return Fail(opened.status());
  HerdService& service = *opened.value()->service;
  Caller system = HerdService::SystemCaller();
  for (Role r : kAllRoles) {
    const std::string name = std::string("demo-") + RoleName(r);
    auto u = service.AddUser(system, name, std::string("demo-") + RoleName(r) + "-pass", r,
                             c.d.authority);
    if (!u.ok() && u.status().code() != StatusCode::kAlreadyExists) return Fail(u.status());
  }
  // A data directory made before certificates existed has no keys yet.
  if (Status s = EnsureSigningKeys(service, c.d, std::cout); !s.ok()) return Fail(s);
  auto seeded = SeedDemo(service, c.d, owners, seed);
  if (!seeded.ok()) return Fail(seeded.status());
  // W15: the reminders of coverage about to lapse, queued now as the nightly job would (they wait
  // in the outbox: `make run` configures no gateway; the admin's Messages screen shows them).
  auto reminded = service.QueueReminders();
  if (!reminded.ok()) return Fail(reminded.status());
  auto counts = opened.value()->store->Counts();
  if (!counts.ok()) return Fail(counts.status());
  std::cout << "demo reminders queued: " << reminded->owners << "\n";
  std::cout << "demo: " << counts->owners << " owners, " << counts->animals
            << " animals and flocks, " << counts->vaccinations << " vaccinations stored\n"
            << "demo owner phone: " << seeded->example_phone << "\n";
  if (!seeded->tag_life_phone.empty()) {
    std::cout << "demo tag life owner phone: " << seeded->tag_life_phone << "\n"
              << "demo dead animal tag: " << seeded->dead_tag << "\n"
              << "demo replaced tag: " << seeded->replaced_tag << " now " << seeded->new_tag
              << "\n";
  }
  if (!seeded->buyer_phone.empty()) {
    std::cout << "demo buyer phone: " << seeded->buyer_phone << " bought " << seeded->new_tag
              << "\n";
  }
  if (!seeded->mismatch_certificate.empty()) {
    std::cout << "demo arrival with a mismatch: " << seeded->mismatch_certificate << "\n";
  }
  if (!seeded->passage_certificate.empty()) {
    std::cout << "demo checkpoint passage: " << seeded->passage_certificate << "\n";
  }
  if (seeded->zone_id != 0) {
    std::cout << "demo outbreak: " << seeded->outbreak_id << " (confirmed), zone "
              << seeded->zone_id << "\n";
  }
  if (!seeded->sale_certificate.empty()) {
    std::cout << "demo sale certificate: " << seeded->sale_certificate << " arrived at buyer "
              << seeded->sale_buyer_phone << "\n";
  }
  for (Role r : kAllRoles) {
    std::cout << "demo user: demo-" << RoleName(r) << " / demo-" << RoleName(r) << "-pass\n";
  }
  const DemoCertificate* valid = nullptr;
  for (const auto& cert : seeded->certificates) {
    std::cout << "demo certificate: " << cert.number << " " << cert.id << " " << cert.status
              << "\n";
    if (valid == nullptr && cert.status == "issued") valid = &cert;
  }
  if (valid != nullptr) {
    std::cout << "demo certificate to verify: " << valid->id << " valid until "
              << FormatRfc3339(valid->valid_until) << "\n"
              << "demo certificate hp1: " << valid->hp1 << "\n";
  }
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"HerdPass: livestock vaccination records and quarantine certificates"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "herdpass 0.1.0");
  Common c;

  auto* init = app.add_subcommand("init", "create a data directory, its database and the admin");
  AddDataOption(init, c);
  init->add_option("--region", c.region_flag, "default phone region (ISO 3166, e.g. KZ, CN)");
  init->add_option("--authority", c.authority_flag, "authority code of this node, e.g. KZ-ABY");

  ServeOptions serve_opts;
  auto* serve = app.add_subcommand("serve", "serve the API and the web app");
  AddDataOption(serve, c);
  serve->add_option("--listen", serve_opts.listen, "address:port to listen on")
      ->envname("HERDPASS_LISTEN");
  serve->add_option("--region", c.region_flag, "default phone region")->envname("HERDPASS_REGION");
  serve->add_option("--threads", serve_opts.handler_threads, "request handler threads");
  serve->add_option("--lookups-per-minute", serve_opts.lookups_per_minute,
                    "phone lookups allowed per user per minute (0 = unlimited)");
  serve->add_option("--field-copy-max-rows", serve_opts.field_copy_max_rows,
                    "the most rows one field copy (GET /field-copy) may carry; a larger one is "
                    "413 and the user asked to narrow it");
  serve
      ->add_option("--lookup-cache-mib", serve_opts.lookup_cache_mib,
                   "MiB of encoded phone-lookup answers kept for repeated lookups (0 = none)")
      ->check(CLI::Range(0, 65536));
  serve
      ->add_option("--key-cache-seconds", serve_opts.key_cache_seconds,
                   "seconds the signing keys read from the database are relied on; keys added or "
                   "retired by the CLI show within this (0 = read them for every request)")
      ->check(CLI::Range(0, 3600));
  serve->add_option("--backup-every", serve_opts.backup_every,
                    "take a backup this often, e.g. 1h or 30m (default: no scheduled backups)");
  serve->add_option("--backup-keep", serve_opts.backup.keep, "scheduled backups kept (newest)")
      ->check(CLI::Range(1, 100000));
  serve->add_option("--backup-dir", serve_opts.backup.dir,
                    "where scheduled backups go (default: DIR/backups)");
  serve->add_option("--web", serve_opts.web_dir,
                    "the built web app to serve at / (web/dist, with index.html; default: none)");
  serve->add_option("--trusted-proxy", serve_opts.trusted_proxies,
                    "a reverse proxy in front of the server, as an address or network (CIDR: "
                    "127.0.0.1, 10.0.0.0/8, ::1); only from these is X-Forwarded-For believed to "
                    "name the client, for login throttling and the audit log (repeatable)");

  serve
      ->add_option("--public-url", serve_opts.public_url,
                   "the address users reach this server at, e.g. https://vet.example.kz: printed "
                   "certificates show <it>/verify as text and as a QR code (default: none, the "
                   "page shows the path /verify alone)")
      ->envname("HERDPASS_PUBLIC_URL");
  serve
      ->add_option("--tile-url", serve_opts.tile_url,
                   "the map's tile server, as an address template: "
                   "https://tiles.example.kz/{z}/{x}/{y}.png ({s} in the host for a subdomain "
                   "letter); the page's Content-Security-Policy lets images come from it (default: "
                   "none, the map is drawn on a blank ground with a scale)")
      ->envname("HERDPASS_TILE_URL");
  serve
      ->add_option("--tile-attribution", serve_opts.tile_attribution,
                   "the tiles' attribution shown under the map, as plain text (with --tile-url)")
      ->envname("HERDPASS_TILE_ATTRIBUTION");
  serve
      ->add_option("--utc-offset", serve_opts.utc_offset,
                   "local time as an offset from UTC, e.g. +05:00 (Kazakhstan) or +08:00: the "
                   "end of a certificate's day and the times on printed certificates "
                   "(default +05:00)")
      ->envname("HERDPASS_UTC_OFFSET");

  serve->add_option("--sms-gateway", serve_opts.sms_gateway,
                    "Kannel smsbox's sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms "
                    "(default: none: SMS to owners stay queued)");
  serve->add_option("--sms-user", serve_opts.sms_user, "smsbox's sendsms-user username");
  serve->add_option("--sms-password", serve_opts.sms_password, "smsbox's sendsms-user password")
      ->envname("HERDPASS_SMS_PASSWORD");
  serve
      ->add_option("--sms-secret", serve_opts.sms_secret,
                   "the secret shared with the gateway: keys delivery reports' tokens")
      ->envname("HERDPASS_SMS_SECRET");
  serve->add_option(
      "--sms-callback-url", serve_opts.sms_callback_url,
      "how smsbox reaches this server (delivery reports), e.g. http://127.0.0.1:8080");
  serve->add_option("--sms-from", serve_opts.sms_from, "the sender number of SMS to owners");
  serve->add_option("--sms-inbound-from", serve_opts.sms_inbound_from,
                    "networks smsbox posts owners' messages from (CIDR or address, repeatable; "
                    "default loopback)");
  serve->add_option("--sms-per-minute", serve_opts.sms_per_minute,
                    "SMS handed to the gateway per minute at most (default 600)");
  serve->add_option("--sms-reminders-at", serve_opts.sms_reminders_at,
                    "local time (HH:MM) of the nightly reminders before coverage lapses");
  serve->add_flag("--no-sms-reminders", serve_opts.no_sms_reminders,
                  "queue no reminders (`herdpass sms remind` still does, by hand)");
  serve->add_option("--sms-reminder-days", serve_opts.sms_reminder_days,
                    "remind of coverage lapsing within this many days");
  serve->add_option("--sms-per-owner-per-day", serve_opts.sms_per_owner_per_day,
                    "SMS to one owner in any 24 hours at most (default 5)");
  serve->add_flag("--sms-print-codes", serve_opts.sms_print_codes,
                  "for a demo with no gateway: also print each /me one-time code in the log "
                  "(refused with --sms-gateway)");
  serve->add_option("--sms-window", serve_opts.sms_window,
                    "SMS in flight at most (handed to the gateway, their marks not yet "
                    "committed): the most a crash can send twice (default 512)");
  serve->add_option("--tls-cert", serve_opts.tls_cert,
                    "PEM certificate (with its chain): serve HTTPS (TLS 1.2/1.3); SIGHUP reloads");
  serve->add_option("--tls-key", serve_opts.tls_key, "PEM private key of --tls-cert");
  serve->add_option("--redirect-port", serve_opts.redirect_port,
                    "also listen for plain HTTP on this port, only to redirect to https");

  SelfSignedOptions self_signed_opts;
  auto* tls = app.add_subcommand("tls", "TLS certificates for serving HTTPS on a LAN");
  tls->require_subcommand(1);
  auto* tls_self_signed = tls->add_subcommand(
      "self-signed", "make a local CA (for the phones) and a server certificate signed by it");
  tls_self_signed
      ->add_option("--host", self_signed_opts.host, "the server's DNS name or IP address")
      ->required();
  tls_self_signed->add_option("--out", self_signed_opts.out, "directory for the files")->required();
  tls_self_signed->add_option("--days", self_signed_opts.days,
                              "server certificate validity in days (default 397)");

  auto* user = app.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  std::string username, role, user_authority;
  auto* user_add = user->add_subcommand("add", "add a user; the password is read from stdin");
  AddDataOption(user_add, c);
  user_add->add_option("--username", username)->required();
  user_add->add_option("--role", role, "vaccinator, vet, inspector, admin or auditor")->required();
  user_add->add_option("--authority", user_authority,
                       "the user's authority, within the node's country (default: the node's)");
  auto* user_disable = user->add_subcommand("disable", "disable a user");
  AddDataOption(user_disable, c);
  user_disable->add_option("--username", username)->required();
  auto* user_enable = user->add_subcommand("enable", "enable a disabled user");
  AddDataOption(user_enable, c);
  user_enable->add_option("--username", username)->required();
  auto* user_list = user->add_subcommand("list", "list users");
  AddDataOption(user_list, c);

  auto* audit = app.add_subcommand("audit", "the audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "check the audit log's hash chain");
  AddDataOption(audit_verify, c);

  auto* sms = app.add_subcommand("sms", "SMS to owners (W15)");
  sms->require_subcommand(1);
  int remind_days = 0;
  auto* sms_remind = sms->add_subcommand(
      "remind", "queue the reminders of coverage about to lapse now (serve runs this nightly)");
  AddDataOption(sms_remind, c);
  auto* remind_days_opt = sms_remind->add_option(
      "--days", remind_days, "remind of coverage lapsing within this many days (default 14)");

  int owners = 2000;
  uint32_t seed = 42;
  auto* demo = app.add_subcommand("demo", "seed a synthetic county with demo users");
  AddDataOption(demo, c);
  demo->add_option("--owners", owners, "households to create")->check(CLI::Range(1, 1000000));
  demo->add_option("--seed", seed, "random seed");
  demo->add_option("--region", c.region_flag, "default phone region for a new data directory");
  demo->add_option("--authority", c.authority_flag, "authority code for a new data directory");

  std::string backup_dir;
  auto* backup =
      app.add_subcommand("backup",
                         "copy the database, the signing keys and a manifest into a new directory, "
                         "while the server keeps running");
  AddDataOption(backup, c);
  backup->add_option("outdir", backup_dir, "the new backup directory")->required();
  bool restore_force = false;
  auto* restore = app.add_subcommand(
      "restore", "check a backup and put it in place of the data directory's database and keys");
  AddDataOption(restore, c);
  restore->add_option("backupdir", backup_dir, "the backup directory")->required();
  restore->add_flag("--force", restore_force, "replace the database the data directory holds");

  auto* key =
      app.add_subcommand("key", "signing keys of this node (private halves stay in DIR/keys)");
  key->require_subcommand(1);
  KeyNewOptions key_new_opts;
  auto* key_new = key->add_subcommand("new", "make a signing key for an authority, or a root key");
  AddDataOption(key_new, c);
  auto* key_authority = key_new->add_option(
      "--authority", key_new_opts.authority,
      "authority the key signs for, within the node's country (its trust list holds no other)");
  auto* key_root = key_new->add_flag("--root", key_new_opts.root,
                                     "a country root key (signs trust lists; 10 years)");
  key_new
      ->add_option("--country", key_new_opts.country,
                   "country of the root key: the node's (the default; no other is taken)")
      ->needs(key_root);
  key_authority->excludes(key_root);
  key_new
      ->add_option("--valid-days", key_new_opts.valid_days,
                   "validity in days (default: 730 for signing keys, 3650 for root keys)")
      ->check(CLI::Range(1, 36500));
  auto* key_list = key->add_subcommand("list", "list keys: kid, authority, kind, validity, source");
  AddDataOption(key_list, c);
  std::string kid;
  auto* key_retire = key->add_subcommand("retire", "retire a key: what it signed stops verifying");
  AddDataOption(key_retire, c);
  key_retire->add_option("kid", kid, "the key's kid (16 hex digits)")->required();

  auto* trust = app.add_subcommand("trust", "trust lists exchanged between countries (W9)");
  trust->require_subcommand(1);
  std::string trust_file, root_key;
  auto* trust_export =
      trust->add_subcommand("export", "write this country's signed trust list and its root key");
  AddDataOption(trust_export, c);
  trust_export->add_option("file", trust_file, "where to write the trust list")->required();
  auto* trust_import =
      trust->add_subcommand("import", "import another country's trust list, pinning its root key");
  AddDataOption(trust_import, c);
  trust_import->add_option("file", trust_file, "the trust list file")->required();
  trust_import->add_option("--root-key", root_key, "the other country's root public key (base64)")
      ->required();

  VerifyOptions verify_opts;
  auto* verify = app.add_subcommand(
      "verify", "verify a certificate offline against trust and revocation list files");
  auto* verify_text = verify->add_option("hp1", verify_opts.hp1, "the certificate's HP1:... text");
  verify->add_option("--png", verify_opts.png, "a PNG image of the certificate's QR code")
      ->excludes(verify_text);
  verify->add_option("--trust-list", verify_opts.trust_lists, "trust list file (repeatable)")
      ->required();
  verify->add_option("--revocations", verify_opts.revocations, "revocation list file (repeatable)")
      ->required();
  verify
      ->add_option(
          "--root-key", verify_opts.root_keys,
          "pinned root public key: base64, or CC:base64 to bind it to a country (repeatable)")
      ->required();
  verify->add_option("--now", verify_opts.now, "check as of this RFC 3339 time (default: now)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*init) return Init(c);
  // SQLite's backups copy the database file; PostgreSQL has its own tools for the same.
  auto refuse_postgres_backups = [&c]() -> Status {
    HP_RETURN_IF_ERROR(Resolve(c));
    if (!IsPostgresUri(c.d.db)) return Status::Ok();
    return FailedPrecondition(
        "herdpass backup and restore copy a SQLite database; back up a PostgreSQL database with "
        "PostgreSQL's own tools (pg_basebackup, pgBackRest, a standby: README)");
  };
  if (*serve) {
    if (Status s = Resolve(c); !s.ok()) return Fail(s);
    if (!serve_opts.backup_every.empty()) {
      if (Status s = refuse_postgres_backups(); !s.ok()) return Fail(s);
    }
    if (serve_opts.listen.empty()) serve_opts.listen = c.d.listen;
    return Serve(c.d, ConfigFor(c.d), serve_opts);
  }
  if (*tls_self_signed) return TlsSelfSigned(self_signed_opts);
  if (*user_add) return UserAdd(c, username, role, user_authority);
  if (*user_disable) return UserDisable(c, username, true);
  if (*user_enable) return UserDisable(c, username, false);
  if (*user_list) return UserList(c);
  if (*audit_verify) return AuditVerify(c);
  if (*demo) return Demo(c, owners, seed);
  if (*sms_remind) {
    return SmsRemind(c,
                     remind_days_opt->count() > 0 ? std::optional<int>(remind_days) : std::nullopt);
  }
  if (*backup || *restore) {
    if (Status s = refuse_postgres_backups(); !s.ok()) return Fail(s);
  }
  if (*backup) return BackupCommand(c.d.data_dir, backup_dir);
  if (*restore) return RestoreCommand(c.d.data_dir, backup_dir, restore_force);
  if (*verify) return VerifyOffline(verify_opts);
  for (auto* cmd : {key_new, key_list, key_retire, trust_export, trust_import}) {
    if (!*cmd) continue;
    if (Status s = Resolve(c); !s.ok()) return Fail(s);
    const ServiceConfig config = ConfigFor(c.d);
    if (cmd == key_new) return KeyNew(c.d, config, key_new_opts);
    if (cmd == key_list) return KeyList(c.d, config);
    if (cmd == key_retire) return KeyRetire(c.d, config, kid);
    if (cmd == trust_export) return TrustExport(c.d, config, trust_file);
    return TrustImport(c.d, config, trust_file, root_key);
  }
  return 2;
}

}  // namespace herdpass::cli

int main(int argc, char** argv) { return herdpass::cli::Main(argc, argv); }
