// npm records other platforms' optional native packages (e.g. @swc/core-darwin-arm64) in package-lock.json only
// when the registry serves them. Our registry mirror lacks some, so `npm install` silently leaves them out and
// `npm ci` then refuses the lockfile as "out of sync". This adds the missing entries with their os/cpu/libc, which
// npm ci skips on non-matching platforms (and fetches by version where they exist). Run after `npm install`:
//   node scripts/lockfile-platform-entries.mjs
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OSES = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

function platform(name) {
  const n = name.split('/').pop();
  const parts = n.split('-');
  const os = OSES.find((o) => parts.includes(o));
  const cpu = CPUS.find((c) => parts.includes(c));
  const libc = n.includes('musl') ? 'musl' : n.endsWith('-gnu') || n.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const added = [];
for (const [key, meta] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const top = `node_modules/${dep}`;
    if (lock.packages[top] || lock.packages[`${key}/node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platform(dep);
    if (!os && !cpu) continue;
    lock.packages[top] = {
      version,
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added.push(`${dep}@${version}`);
  }
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(added.length ? `added ${added.length} platform entries:\n  ${added.join('\n  ')}` : 'lockfile already complete');
