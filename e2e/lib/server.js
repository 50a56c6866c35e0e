// Starts the real linli binary for the browser tests: built from this checkout, serving the demo on
// a free loopback port with a temporary SQLite database and a temporary personal-data key.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(e2eDir, '..');
export const shotsDir = path.join(e2eDir, 'screenshots');

export const demoPassword = 'Demo-' + randomBytes(6).toString('hex');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

let built;

/** build compiles cmd/linli once per test process into a temporary directory ($LINLI_E2E_BIN skips it). */
export function build() {
  if (process.env.LINLI_E2E_BIN) return process.env.LINLI_E2E_BIN;
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-bin-'));
  const bin = path.join(dir, 'linli');
  execFileSync('go', ['build', '-o', bin, './cmd/linli'], { cwd: repoDir, stdio: 'inherit' });
  built = bin;
  return bin;
}

async function waitHealthy(base, proc, deadlineMs) {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`linli exited with ${proc.exitCode} before it was healthy`);
    try {
      const res = await fetch(base + '/healthz');
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`linli was not healthy within ${deadlineMs / 1000}s (${last})`);
}

/**
 * start runs `linli serve --demo` and resolves when /healthz answers 200. The returned object has
 * the base URL, the log so far (log()) and stop().
 */
export async function start({ demo = true } = {}) {
  const bin = build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const keyFile = path.join(dir, 'linli.key');
  fs.writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  const args = ['serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite:${path.join(dir, 'linli.db')}`,
    '--key-file', keyFile];
  if (demo) args.push('--demo');
  const env = { ...process.env, LINLI_DEMO_PASSWORD: demoPassword };
  delete env.LINLI_SECRET_KEY;
  delete env.LINLI_DB;
  delete env.LINLI_ADDR;
  const started = Date.now();
  const proc = spawn(bin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (b) => { output += b; });
  proc.stderr.on('data', (b) => { output += b; });
  const server = {
    base,
    dir,
    startupMs: 0,
    log: () => output,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.mkdirSync(shotsDir, { recursive: true });
      fs.writeFileSync(path.join(shotsDir, 'server.log'), output);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy(base, proc, 120_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${err.message}\n--- server output ---\n${output}`);
  }
  server.startupMs = Date.now() - started;
  return server;
}
