/**
 * Throw-away TLS material for tests, made with the `openssl` command line at test time (nothing
 * checked in, so no key ever ages or leaks): a CA, a server certificate for `127.0.0.1` (IP SAN,
 * because gRPC checks the address it dialled against the SAN), a client certificate, an expired
 * client certificate and a second, unrelated CA for the negative tests.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** File paths of the generated PEM files. */
export interface TlsMaterial {
  /** Directory holding every file; {@link TlsMaterial.remove} deletes it. */
  readonly dir: string;
  /** CA that signed the server and both client certificates. */
  readonly caCert: string;
  /** Server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`) and its key. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Valid client certificate (CN `root`, so etcd's cert-CN auth maps it to user root) and key. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate of the same CA whose validity ended in the past, and its key. */
  readonly expiredClientCert: string;
  readonly expiredClientKey: string;
  /** A CA unrelated to the server's: trusting only it must fail the handshake. */
  readonly otherCaCert: string;
  /** Delete the directory. */
  remove(): void;
}

/** True when `openssl` can be run. */
export function haveOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr?.toString() ?? r.error}`);
}

/**
 * Make a fresh set of TLS files in a temporary directory.
 *
 * @returns the file paths; call `remove()` when done
 * @throws Error when `openssl` is missing or fails
 * @example
 * ```ts
 * import { makeTlsMaterial } from '@atrest/test-support';
 * const tls = makeTlsMaterial();
 * // ... start etcd with tls.serverCert / tls.serverKey / tls.caCert ...
 * tls.remove();
 * ```
 */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'atrest-tls-'));
  try {
    const ca = (name: string, cn: string): void => {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`], dir);
    };
    ca('ca', 'atrest-test-ca');
    ca('other-ca', 'atrest-unrelated-ca');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    const leaf = (name: string, cn: string, ext: string, validity: string[]): void => {
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-extfile', ext, ...validity], dir);
    };
    leaf('server', '127.0.0.1', 'server.ext', ['-days', '2']);
    leaf('client', 'root', 'client.ext', ['-days', '2']);
    // `x509 -req` cannot set a start date in the past; `openssl ca` can (see expiredLeaf).
    expiredLeaf(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    expiredClientCert: p('expired.crt'),
    expiredClientKey: p('expired.key'),
    otherCaCert: p('other-ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An expired client certificate, signed by `ca` through `openssl ca`, which accepts explicit dates. */
function expiredLeaf(dir: string): void {
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ ca ]', 'default_ca = test', '[ test ]', `dir = ${dir}`, 'database = $dir/index.txt', 'serial = $dir/serial',
      'new_certs_dir = $dir', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
      'x509_extensions = ext', '[ any ]', 'commonName = supplied', '[ ext ]', 'extendedKeyUsage = clientAuth', '',
    ].join('\n'),
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=root'], dir);
  openssl(
    ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.crt',
      '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext'],
    dir,
  );
}
