#!/usr/bin/env node
/*
 * Install step of @atrest/native: build the addon with node-gyp against the running Node's own
 * headers (and so its OpenSSL). The addon is optional, so this never fails an install: when the
 * build cannot run (no compiler, no headers, ATREST_NATIVE_BUILD=0) it says why on stderr and
 * exits 0, and atrest uses node:crypto and noble, which produce the same bytes.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function say(message) {
  process.stderr.write(`@atrest/native: ${message}\n`);
}

/** node-gyp as the package manager provides it, else the one bundled with npm next to node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(process.execPath, '../../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    path.resolve(process.execPath, '../node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  return onPath.status === 0 ? ['node-gyp'] : null;
}

/** The headers of the running Node (a distribution ships them in ../include/node). */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const dir = path.resolve(process.execPath, '../..');
  return existsSync(path.join(dir, 'include/node/node_api.h')) ? dir : null;
}

function main() {
  if (process.env.ATREST_NATIVE_BUILD === '0') {
    say('ATREST_NATIVE_BUILD=0: not building the addon; atrest will use node:crypto');
    return;
  }
  const gyp = nodeGyp();
  if (gyp === null) {
    say('node-gyp not found: not building the addon; atrest will use node:crypto');
    return;
  }
  const args = [...gyp.slice(1), 'rebuild'];
  const dir = nodeDir();
  if (dir !== null) args.push(`--nodedir=${dir}`);
  const r = spawnSync(gyp[0], args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    const tail = (r.stderr || String(r.error || '')).trim().split('\n').slice(-8).join('\n');
    say(`the addon could not be built; atrest will use node:crypto (same bytes, slower).\n${tail}`);
    return;
  }
  const check = spawnSync(process.execPath, ['-e', 'const n = require(process.argv[1]); if (!n.addon) throw n.addonError;', root], {
    encoding: 'utf8',
  });
  say(check.status === 0 ? 'built the addon (AES-GCM, AES-CBC, HKDF over Node\'s OpenSSL)' : `built, but it does not load:\n${check.stderr.trim()}`);
}

main();
