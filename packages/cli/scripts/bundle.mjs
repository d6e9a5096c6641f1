// Bundle the atrest command (dist/main.js and every @atrest package it reaches) into
// dist/bundle/, the file bin/atrest.js runs. Run after `tsc -b` (the root `build` script does).
//
// Why: the unbundled command loads ~165 ES modules, and Node resolves, reads and compiles each
// one; that costs ~0.3 CPU-s on every run (`atrest version`: 0.54 -> 0.28 CPU-s). The packages a
// command loads only when it needs them (etcd client, gRPC, conformance) stay separate chunks, so
// they still cost nothing to commands that do not use them.
//
// Left outside the bundle, and loaded from node_modules at run time: packages that read files
// next to their own code (etcd3 and @grpc/* load .proto files from their directories) and native
// addons (@atrest/native and the sodium-native it loads).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${cli}/dist/bundle`, { recursive: true, force: true }); // no chunk of an earlier build stays

await build({
  absWorkingDir: cli,
  entryPoints: ['dist/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@atrest/native', 'etcd3', '@grpc/grpc-js', '@grpc/proto-loader'],
  // CommonJS packages inside the bundle (yaml, protobufjs) call require() for Node's modules.
  banner: { js: "import { createRequire as atrestCreateRequire } from 'node:module';\nconst require = atrestCreateRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
