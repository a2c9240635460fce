// Kannel for the end-to-end tests: the C++ test fixture (tests/support/kannel.h) run as its own
// program (tests/support/kannel_fixture_main.cpp), so that Node tests use the same real bearerbox,
// smsbox and test SMSC as the C++ tests rather than a copy. startKannel() resolves once the gateway
// is up, with the `serve` arguments that send through it and the messages the test SMSC has
// received so far (a live array, filled as they arrive).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const KANNEL_FIXTURE = process.env.HERDPASS_KANNEL_FIXTURE ?? resolve(here, '../../build/tests/support/kannel_fixture');

export async function startKannel() {
  if (!existsSync(KANNEL_FIXTURE)) throw new Error(`no Kannel fixture at ${KANNEL_FIXTURE} (set HERDPASS_KANNEL_FIXTURE)`);
  // Its own process group (the fixture leads it, with bearerbox and smsbox in it): stop() can end
  // all three even if the fixture itself was killed. The fixture dies with this process too
  // (PR_SET_PDEATHSIG), and stops when its stdin closes.
  const proc = spawn(KANNEL_FIXTURE, [], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  const messages = [];
  const lines = createInterface({ input: proc.stdout });
  const config = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`Kannel did not start:\n${log}`)), 60_000);
    let first = true;
    lines.on('line', (line) => {
      const value = JSON.parse(line);
      if (first) {
        first = false;
        clearTimeout(timer);
        ok(value);
      } else {
        messages.push(value);
      }
    });
    proc.on('exit', (code) => fail(new Error(`Kannel fixture exited ${code}:\n${log}`)));
  });
  return {
    messages,
    log: () => log,
    serveArgs: ['--sms-gateway', config.sendsms_url, '--sms-user', config.user, '--sms-password', config.password],
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.on('exit', r));
        proc.stdin.end();
        const timer = setTimeout(() => {
          try {
            process.kill(-proc.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
