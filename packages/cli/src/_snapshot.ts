/**
 * Opening a snapshot file named on the command line, with the hint a user needs when the file is
 * not what atrest reads.
 * @module
 */
import { AtrestError, ErrorCode } from '@atrest/core';
import { type EtcdSnapshot, openSnapshot, type OpenSnapshotOptions } from '@atrest/etcd-snapshot';

/** `openSnapshot`, where a file that is no bbolt database says what atrest expected. */
export function openSnapshotFile(path: string, options: OpenSnapshotOptions = {}): EtcdSnapshot {
  try {
    return openSnapshot(path, options);
  } catch (err) {
    if (err instanceof AtrestError && err.code === ErrorCode.InvalidData && err.message === 'invalid database') {
      throw new AtrestError(
        err.code,
        `${path} is not an etcd database: expected the file \`etcdctl snapshot save\` writes (or a stopped member's member/snap/db), not a backup archive or a compressed copy`,
        err.context,
        { cause: err },
      );
    }
    throw err;
  }
}
