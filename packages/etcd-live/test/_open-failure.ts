/**
 * Opening a connection that must fail: the error and how long it took (a connection that opens
 * anyway is closed, or kept in `opened` for the suite to close, and stands as Error('connected')).
 * @module
 */
import { type EtcdConnectionOptions, type LiveEtcd, openLiveEtcd } from '../src/index.js';

export async function openFailure(o: EtcdConnectionOptions, opened?: LiveEtcd[]): Promise<{ err: unknown; ms: number }> {
  const t0 = Date.now();
  const err = await openLiveEtcd(o).then(
    (live) => {
      if (opened === undefined) live.close();
      else opened.push(live);
      return new Error('connected');
    },
    (e: unknown) => e,
  );
  return { err, ms: Date.now() - t0 };
}
