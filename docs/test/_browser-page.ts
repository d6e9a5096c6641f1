/**
 * The page of the browser test (browser.test.ts), bundled by esbuild for the browser: it writes a
 * Secret with aesgcm (and with secretbox) and a ConfigMap with secretbox through a loaded EncryptionConfiguration, reads
 * a value Node wrote, and puts the results in the DOM as JSON.
 */
import { loadEncryptionConfiguration } from '@atrest/config';
import { defaultBackend, fromUtf8, readSync, utf8, writeSync } from '@atrest/core';

declare const CONFIG: string;
declare const FROM_NODE: string;

const b64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b));
const unb64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

const out = document.getElementById('out') as HTMLElement;
try {
  const config = loadEncryptionConfiguration(CONFIG);
  const secretKey = utf8('/registry/secrets/default/browser');
  const cmKey = utf8('/registry/configmaps/default/browser');
  const secret = writeSync(config.transformerForResource('secrets'), utf8('{"kind":"Secret","written":"in a browser"}'), secretKey);
  // secretbox under the Secret's etcd key too (the configmaps rule holds the secretbox key).
  const boxedSecret = writeSync(config.transformerForResource('configmaps'), utf8('{"kind":"Secret","written":"in a browser"}'), secretKey);
  const configMap = writeSync(config.transformerForResource('configmaps'), utf8('{"kind":"ConfigMap","written":"in a browser"}'), cmKey);
  const read = readSync(config.transformerForResource('secrets'), unb64(FROM_NODE), secretKey);
  out.textContent = JSON.stringify({ backend: defaultBackend().name, secret: b64(secret), boxedSecret: b64(boxedSecret), configMap: b64(configMap), fromNode: fromUtf8(read.plaintext), stale: read.stale });
} catch (err) {
  out.textContent = JSON.stringify({ error: String(err) });
}
