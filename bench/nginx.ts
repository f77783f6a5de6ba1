import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, runCommand, spawnTracked, stopGroup } from './child.js';
import { freePort } from './http.js';

export type Nginx = {
  origin: string;
  version: string;
  /** Writes a file of exactly `size` bytes under the web root and returns its URL path. */
  serveFile(name: string, size: number): Promise<string>;
  stop(): Promise<void>;
};

async function findNginx(): Promise<string | null> {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (existsSync(path)) return path;
  }
  const which = await runCommand('sh', ['-c', 'command -v nginx'], { timeoutMs: 5000 });
  return which.code === 0 ? which.stdout.trim() : null;
}

/**
 * Returns the nginx binary, installing the Debian package when it is missing (the issue asks
 * for exactly `apt-get install -y nginx`; `apt-get update` only if that fails on stale lists).
 * Where policy-rc.d does not hold it back, the package starts a service on port 80 of every
 * interface: that one was started by this install, so it is stopped again.
 */
export async function ensureNginx(log: (line: string) => void): Promise<string> {
  const found = await findNginx();
  if (found !== null) return found;
  log('nginx is missing: apt-get install -y nginx');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const hadService = existsSync('/run/nginx.pid');
  let install = await runCommand('apt-get', ['install', '-y', 'nginx'], { env, timeoutMs: 300_000 });
  if (install.code !== 0) {
    log('apt-get install failed; running apt-get update and trying once more');
    await mustRun('apt-get', ['update'], { env, timeoutMs: 300_000 });
    install = await mustRun('apt-get', ['install', '-y', 'nginx'], { env, timeoutMs: 300_000 });
  }
  const path = await findNginx();
  if (path === null) throw new Error('apt-get install -y nginx succeeded but no nginx binary was found');
  if (!hadService && existsSync('/run/nginx.pid')) {
    log('the nginx package started its own service on port 80; stopping it');
    await runCommand(path, ['-s', 'quit'], { timeoutMs: 10_000 });
  }
  return path;
}

export async function nginxVersion(binary: string): Promise<string> {
  const result = await runCommand(binary, ['-v'], { timeoutMs: 5000 });
  return (result.stderr || result.stdout).trim().replace(/^nginx version:\s*nginx\//, '');
}

/**
 * One worker process, like the one event loop of the Node server it is compared with; access
 * log off; keep-alive without a request cap (nginx closes after 1000 by default, Node never).
 */
function nginxConfig(dir: string, port: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { text/html html; application/x-pkcs12 p12; }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    location / { }
  }
}
`;
}

async function waitForNginx(origin: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`${origin}/`, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nginx did not answer on ${origin} within ${timeoutMs} ms`);
}

/**
 * Starts nginx with its own prefix, config, pid, logs and web root in a fresh temp dir, bound
 * to 127.0.0.1 only. stop() ends it and removes the dir.
 */
export async function startNginx(binary: string): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'uketori-bench-nginx-'));
  // Workers run as an unprivileged user when nginx starts as root: they must reach the web root.
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'tmp'));
  await mkdir(join(dir, 'www'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port));
  await mustRun(binary, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { timeoutMs: 10_000 });
  const child = spawnTracked(binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  await waitForNginx(origin, 5000);
  return {
    origin,
    version: await nginxVersion(binary),
    async serveFile(name, size) {
      const path = join(dir, 'www', name);
      await writeFile(path, Buffer.alloc(size, 0x61));
      await chmod(path, 0o644);
      return `/${name}`;
    },
    async stop() {
      // SIGQUIT is nginx's graceful shutdown; the group kill covers its worker.
      await stopGroup(child, 3000, 'SIGQUIT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
