/**
 * A grpc-js client for one plugin endpoint: insecure credentials (a unix socket guarded by file
 * permissions, as kube-apiserver uses) and short reconnect back-off, so a restarted plugin is
 * picked up within about a second.
 * @module
 */
import { Client, credentials } from '@grpc/grpc-js';
import type { KmsEndpoint } from './endpoint.js';

/** Open a client channel to the endpoint (connects lazily on the first call). */
export function openChannel(endpoint: KmsEndpoint): Client {
  return new Client(endpoint.target, credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
    // KMS messages are small; refuse anything absurd from a misbehaving plugin.
    'grpc.max_receive_message_length': 1 << 20,
  });
}
