import { AtrestError } from '@atrest/core';
import { decodeObject } from '@atrest/kube-objects';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { damagedSamples, sampleValues } from './_sample.js';

/** Decoding either succeeds or throws an AtrestError; nothing else may escape. */
function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    decodeObject(bytes);
  } catch (err) {
    if (!(err instanceof AtrestError)) throw err;
    expect(err.code).toBe('ERR_INVALID_DATA');
  }
}

const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);
const samples = sampleValues().map((v) => v.plaintext);

describe('hostile input', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodesOrRefuses), { numRuns: 2000 });
  });

  it('random bytes after the protobuf magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => decodesOrRefuses(new Uint8Array([...MAGIC, ...tail]))),
      { numRuns: 2000 },
    );
  });

  it('random JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.constantFrom('v1', 'example.com/v1'), fc.constantFrom('Secret', 'ConfigMap', 'Widget'), (metadata, data, apiVersion, kind) =>
        decodesOrRefuses(new TextEncoder().encode(JSON.stringify({ apiVersion, kind, metadata, data, binaryData: data }))),
      ),
      { numRuns: 1000 },
    );
  });

  it('real objects with flipped bytes, truncated, or extended', () => {
    expect(samples.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(damagedSamples(samples), (inputs) => {
        for (const b of inputs) decodesOrRefuses(b);
      }),
      { numRuns: 1000 },
    );
  });
});
