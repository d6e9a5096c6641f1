/**
 * Shared test helpers: the backends, the upstream vectors, a chain builder.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtrestError, availableBackends, type ChainEntry, ErrorCode, PrefixChain } from '@atrest/core';

/** Every backend available here, as `[name, backend]` rows. */
export const backends = availableBackends().map((b) => [b.name, b] as const);

export interface VectorCase {
  id: string;
  description: string;
  config: string;
  resource: string;
  key: string;
  stored: string;
  kms?: { name: string; apiVersion: string; mock: string; keyID?: string }[];
  expect: { plaintext: string; stale: boolean } | { error: string };
}

export function loadValues(): VectorCase[] {
  const path = fileURLToPath(new URL('../../../test-vectors/upstream/values.json', import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: VectorCase[] }).cases;
}

export const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

export function chainOf(...entries: ChainEntry[]): PrefixChain {
  return new PrefixChain(entries, () => new AtrestError(ErrorCode.NoMatchingPrefix, 'no matching prefix found'));
}

/** Capture what a sync-or-async call throws. */
export async function caught(fn: () => unknown): Promise<AtrestError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AtrestError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
