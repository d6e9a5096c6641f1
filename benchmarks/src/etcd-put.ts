/**
 * A minimal etcd v3 client for loading data fast: `etcdserverpb.KV/Put` over gRPC (field numbers
 * from etcd's `rpc.proto`: PutRequest key=1 value=2; PutResponse header=1 {revision=3}), many
 * requests in flight on one channel. Each put is its own revision, as kube-apiserver writes.
 * @module
 */
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    etcdserverpb: {
      nested: {
        PutRequest: { fields: { key: { type: 'bytes', id: 1 }, value: { type: 'bytes', id: 2 } } },
        ResponseHeader: { fields: { revision: { type: 'int64', id: 3 } } },
        PutResponse: { fields: { header: { type: 'ResponseHeader', id: 1 } } },
      },
    },
  },
});
const PutRequest = root.lookupType('etcdserverpb.PutRequest');
const PutResponse = root.lookupType('etcdserverpb.PutResponse');

/** Puts into one etcd. */
export class EtcdPutter {
  readonly #client: Client;

  /** @param endpoint - `http://127.0.0.1:PORT` */
  constructor(endpoint: string) {
    this.#client = new Client(endpoint.replace(/^http:\/\//, ''), credentials.createInsecure(), {
      'grpc.max_send_message_length': 8 << 20,
    });
  }

  /** One put; resolves to the new revision. */
  put(key: Uint8Array, value: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        '/etcdserverpb.KV/Put',
        (m: { key: Uint8Array; value: Uint8Array }) => Buffer.from(PutRequest.encode(m).finish()),
        (b: Buffer) => PutResponse.toObject(PutResponse.decode(b), { longs: Number }) as { header?: { revision?: number } },
        { key, value },
        { deadline: new Date(Date.now() + 30_000) },
        (err: ServiceError | null, res?: { header?: { revision?: number } }) => (err ? reject(err) : resolve(res?.header?.revision ?? 0)),
      );
    });
  }

  /** Put many with at most `inFlight` outstanding; `progress` is called every 5000. */
  async putAll(items: AsyncIterable<[Uint8Array, Uint8Array]> | Iterable<[Uint8Array, Uint8Array]>, inFlight = 128, progress?: (n: number) => void): Promise<number> {
    const pending = new Set<Promise<unknown>>();
    let n = 0;
    for await (const [k, v] of items) {
      const p: Promise<unknown> = this.put(k, v).finally(() => pending.delete(p));
      pending.add(p);
      if (++n % 5000 === 0) progress?.(n);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
    return n;
  }

  close(): void {
    this.#client.close();
  }
}
