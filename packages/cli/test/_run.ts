/** Test helper: run the CLI in process with captured streams. */
import { main, type CliIO } from '@atrest/cli';

export interface Captured {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * @param env - the environment the command sees (default: none, so a developer's ETCDCTL_* variables do not leak in)
 */
export async function run(argv: string[], stdin: Uint8Array | string = '', env: Record<string, string | undefined> = {}): Promise<Captured> {
  const out: Buffer[] = [];
  let err = '';
  const io: CliIO = {
    readStdin: async () => (typeof stdin === 'string' ? Buffer.from(stdin) : stdin),
    stdout: (d) => void out.push(Buffer.from(d)),
    stderr: (t) => void (err += t),
    stderrIsTTY: false,
    env,
  };
  const code = await main(argv, io);
  return { code, stdout: Buffer.concat(out), stderr: err };
}
