/**
 * CPU profiles of one call (the V8 profiler through `node:inspector`): self time per function, and
 * the share of the sampled time spent in a set of functions. Used to say how much of an audit the cipher takes
 * (node:crypto's `Decipheriv` machinery and the backend's `open`), so the figure with a faster
 * backend can be predicted without a fake backend in shipped code.
 * @module
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}
/** A V8 CPU profile (`Profiler.stop`'s result, or a `.cpuprofile` file). */
export interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Profile `run` alone (the V8 profiler, started and stopped around it in this process).
 * @returns what `run` returned and the profile
 */
export async function profiled<T>(run: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const result = await run();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Self microseconds per `function url`, and the total sampled (idle excluded). */
export function selfTimes(p: Profile): { total: number; byFrame: Map<string, number> } {
  const frameOf = new Map(p.nodes.map((n) => [n.id, `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url}`]));
  const byFrame = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const frame = frameOf.get(id) ?? '?';
    if (frame.startsWith('(idle)')) return;
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + dt);
  });
  return { total, byFrame };
}

/** The share of sampled time in frames `match` accepts. */
export function share(profile: Profile, match: (frame: string) => boolean): number {
  const { total, byFrame } = selfTimes(profile);
  let n = 0;
  for (const [frame, t] of byFrame) if (match(frame)) n += t;
  return total === 0 ? 0 : n / total;
}

/** OpenSSL's side of node:crypto's ciphers: native frames (no script URL) of `CipherBase`. */
const NATIVE_CIPHER = new Set(['CipherBase ', 'initiv ', 'update ', 'final ', 'setAAD ', 'setAuthTag ', 'getAuthTag ', 'setAutoPadding ']);

/**
 * The AES-GCM decryption of the `node` backend: node:crypto's cipher module, its native calls,
 * and the backend's and provider's `open` around them; not the GC their garbage causes. (The
 * audit of a local-provider snapshot makes no other native `update`/`final` calls.)
 */
export function isNodeCipher(frame: string): boolean {
  return (
    NATIVE_CIPHER.has(frame) ||
    frame.includes('node:internal/crypto/cipher') ||
    /^(open|aesName|gcm) .*backends\/node\.js$/.test(frame) ||
    /^openPayload .*_gcm\.js$/.test(frame)
  );
}
