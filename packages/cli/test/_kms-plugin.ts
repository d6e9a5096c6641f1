/** Test helper: `atrest kms-plugin` (this package's bin) through test-support's starter. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startKmsPlugin as start } from '@atrest/test-support';

export { kek, stopKmsPlugin } from '@atrest/test-support';

const bin = join(import.meta.dirname, '..', 'bin', 'atrest.js');

/** Start the reference plugin; resolves once it listens. */
export const startKmsPlugin = (socket: string, kekFile: string): Promise<ChildProcess> => start(bin, socket, kekFile);
