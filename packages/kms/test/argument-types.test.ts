/**
 * Argument checks at the bare KMS v1 and v2 transformers' entry points (called directly, not
 * through a chain): a value that is not a Uint8Array, or a bad offset, is refused with
 * ERR_INVALID_ARGUMENT naming the argument, synchronously, before the plugin is asked anything.
 */
import { AtrestError, ErrorCode, type Transformer, utf8 } from '@atrest/core';
import { describe, expect, it } from 'vitest';
import { Base64MockV1, Base64MockV2, kmsV1Provider, kmsV2Provider, mockKmsFactory } from '@atrest/kms';

const SECRET = 'password=hunter2';
const ctx = utf8('/registry/secrets/default/db');

/** Values that are not bytes, labelled; none may be echoed in an error. */
const notBytes: [string, () => unknown][] = [
  ['string', () => SECRET],
  ['number[]', () => [...utf8(SECRET)]],
  ['Uint16Array', () => new Uint16Array([0x7070, 0x7373])],
  ['ArrayBuffer', () => utf8(SECRET).buffer],
  ['null', () => null],
  ['undefined', () => undefined],
];

/** Offsets readAt must refuse for data of length `n`. */
const badOffsets = (n: number): [string, unknown][] => [
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['past the end', n + 1],
  ['string', '0'],
  ['null', null],
  ['undefined', undefined],
];

/** Call `fn`, which must throw synchronously, and return the error. */
function thrown(fn: () => unknown): AtrestError {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AtrestError);
    return err as AtrestError;
  }
  // A rejected promise would leave an unhandled rejection; the check must not get that far.
  if (result instanceof Promise) result.catch(() => undefined);
  throw new Error('expected a synchronous throw');
}

function expectNamed(err: AtrestError, argument: string): void {
  expect(err.code).toBe(ErrorCode.InvalidArgument);
  expect(err.message.startsWith(`${argument} `)).toBe(true);
  expect(err.context?.argument).toBe(argument);
  expect(err.message).not.toContain(SECRET);
  expect(JSON.stringify(err.context)).not.toContain(SECRET);
}

const factory = mockKmsFactory([
  { name: 'kms1', apiVersion: 'v1', mock: 'base64' },
  { name: 'kms2', apiVersion: 'v2', mock: 'base64', keyID: 'key-id-1' },
]);

type Made = { transformer: Transformer; stored: Uint8Array };

const cases: [string, () => Promise<Made>][] = [
  [
    'kms v1',
    async () => {
      const { transformer } = factory({ name: 'kms1', apiVersion: 'v1' });
      return { transformer, stored: await transformer.write(utf8('hello'), ctx) };
    },
  ],
  [
    'kms v2',
    async () => {
      const { transformer } = factory({ name: 'kms2', apiVersion: 'v2' });
      return { transformer, stored: await transformer.write(utf8('hello'), ctx) };
    },
  ],
];

describe.each(cases)('%s transformer argument checks', (_, make) => {
  it.each(notBytes)('read refuses %s as data', async (_label, value) => {
    const { transformer: t } = await make();
    expectNamed(thrown(() => t.read(value() as Uint8Array, ctx)), 'data');
  });

  it.each(notBytes)('read refuses %s as context', async (_label, value) => {
    const { transformer: t, stored } = await make();
    expectNamed(thrown(() => t.read(stored, value() as Uint8Array)), 'context');
  });

  it.each(notBytes)('write refuses %s as plaintext', async (_label, value) => {
    const { transformer: t } = await make();
    expectNamed(thrown(() => t.write(value() as Uint8Array, ctx)), 'plaintext');
  });

  it.each(notBytes)('write refuses %s as context', async (_label, value) => {
    const { transformer: t } = await make();
    expectNamed(thrown(() => t.write(utf8(SECRET), value() as Uint8Array)), 'context');
  });

  it.each(notBytes)('readAt (when present) refuses %s as data and as context', async (_label, value) => {
    const { transformer: t, stored } = await make();
    if (t.readAt === undefined) return;
    expectNamed(thrown(() => t.readAt?.(value() as Uint8Array, 0, ctx)), 'data');
    expectNamed(thrown(() => t.readAt?.(stored, 0, value() as Uint8Array)), 'context');
  });

  it('readAt (when present) refuses bad offsets', async () => {
    const { transformer: t, stored } = await make();
    if (t.readAt === undefined) return;
    for (const [label, offset] of badOffsets(stored.length)) {
      const err = thrown(() => t.readAt?.(stored, offset as number, ctx));
      expect(err.code, label).toBe(ErrorCode.InvalidArgument);
      expect(err.message.startsWith('offset '), label).toBe(true);
      expect(err.context?.argument, label).toBe('offset');
    }
  });

  it.each(notBytes)('writeAfter (when present) refuses %s as header, plaintext and context', async (_label, value) => {
    const { transformer: t } = await make();
    if (t.writeAfter === undefined) return;
    const header = utf8('k8s:enc:kms:v2:kms2:');
    expectNamed(thrown(() => t.writeAfter?.(value() as Uint8Array, utf8(SECRET), ctx)), 'header');
    expectNamed(thrown(() => t.writeAfter?.(header, value() as Uint8Array, ctx)), 'plaintext');
    expectNamed(thrown(() => t.writeAfter?.(header, utf8(SECRET), value() as Uint8Array)), 'context');
  });

  it('still reads and writes good arguments', async () => {
    const { transformer: t, stored } = await make();
    const r = await t.read(stored, ctx);
    expect(new Uint8Array(r.plaintext)).toEqual(utf8('hello'));
  });
});

describe('the checks come before any plugin call', () => {
  const bad = 'not bytes' as unknown as Uint8Array;

  it('kms v1: a fresh transformer refuses bad arguments without calling the plugin', async () => {
    const stored = await kmsV1Provider('kms1', new Base64MockV1()).transformer.write(utf8('hello'), ctx);
    const plugin = new Base64MockV1();
    const t = kmsV1Provider('kms1', plugin).transformer;
    expectNamed(thrown(() => t.read(bad, ctx)), 'data');
    // A cache miss with good data: the plugin would be asked to decrypt were context not checked first.
    expectNamed(thrown(() => t.read(stored, bad)), 'context');
    expectNamed(thrown(() => t.write(bad, ctx)), 'plaintext');
    expectNamed(thrown(() => t.write(utf8('hello'), bad)), 'context');
    expect(plugin.calls).toEqual({ encrypt: 0, decrypt: 0, status: 0 });
    // Good arguments do reach it.
    await t.read(stored, ctx);
    expect(plugin.calls.decrypt).toBe(1);
  });

  it('kms v2: a fresh transformer refuses bad arguments without polling, wrapping or unwrapping', async () => {
    const stored = await kmsV2Provider('kms2', new Base64MockV2('key-id-1')).transformer.write(utf8('hello'), ctx);
    const plugin = new Base64MockV2('key-id-1');
    const t = kmsV2Provider('kms2', plugin).transformer;
    expectNamed(thrown(() => t.read(bad, ctx)), 'data');
    expectNamed(thrown(() => t.read(stored, bad)), 'context');
    expectNamed(thrown(() => t.readAt?.(stored, 0, bad)), 'context');
    expect(thrown(() => t.readAt?.(stored, -1, ctx)).context?.argument).toBe('offset');
    expectNamed(thrown(() => t.write(bad, ctx)), 'plaintext');
    expectNamed(thrown(() => t.write(utf8('hello'), bad)), 'context');
    expectNamed(thrown(() => t.writeAfter?.(bad, utf8('hello'), ctx)), 'header');
    expect(plugin.calls).toEqual({ encrypt: 0, decrypt: 0, status: 0 });
    // Good arguments do reach it: the first read polls, wraps a seed and unwraps the value's.
    await t.read(stored, ctx);
    expect(plugin.calls).toEqual({ encrypt: 1, decrypt: 1, status: 1 });
  });

  it('kms v2: with a state in place and a poll due, bad arguments still do not poll', async () => {
    let now = Date.UTC(2026, 0, 1);
    const plugin = new Base64MockV2('key-id-1');
    const t = kmsV2Provider('kms2', plugin, { now: () => now }).transformer;
    const stored = await t.write(utf8('hello'), ctx);
    const before = { ...plugin.calls };
    now += 10 * 60_000;
    expectNamed(thrown(() => t.read(stored, bad)), 'context');
    expectNamed(thrown(() => t.write(bad, ctx)), 'plaintext');
    expect(plugin.calls).toEqual(before);
  });
});
