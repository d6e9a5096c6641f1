/**
 * One unary call to a KMS plugin with a deadline, turning gRPC failures into atrest errors that
 * say which plugin, endpoint and call failed and why, without echoing the plugin's own message
 * text (a misbehaving plugin could put key material there).
 * @module
 */
import { type Client, type MethodDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { AtrestError, ErrorCode } from '@atrest/core';
import type { Message } from './_proto.js';

/** Who is being called, for error messages. */
export interface CallSite {
  readonly plugin: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
}

function why(err: ServiceError, timeoutMs: number): string {
  switch (err.code) {
    case status.DEADLINE_EXCEEDED:
      return `deadline exceeded after ${timeoutMs} ms`;
    case status.UNAVAILABLE:
      return 'plugin unavailable (is it running and listening on the socket?)';
    case status.UNIMPLEMENTED:
      return 'plugin does not implement this call (wrong KMS API version?)';
    case status.INTERNAL:
      return 'invalid response or internal plugin error';
    default:
      return `plugin returned gRPC status ${status[err.code] ?? err.code}`;
  }
}

/**
 * Make one unary call.
 * @throws AtrestError `ERR_KMS_PLUGIN` with context { plugin, endpoint, call, grpcCode }
 */
export function unaryCall(
  client: Client,
  site: CallSite,
  call: string,
  def: MethodDefinition<Message, Message>,
  request: Message,
): Promise<Message> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + site.timeoutMs);
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      { deadline },
      (err: ServiceError | null, value?: Message) => {
        if (err) {
          reject(
            new AtrestError(ErrorCode.KmsPlugin, `kms plugin "${site.plugin}" at ${site.endpoint}: ${call} failed: ${why(err, site.timeoutMs)}`, {
              plugin: site.plugin,
              endpoint: site.endpoint,
              call,
              grpcCode: status[err.code] ?? String(err.code),
            }),
          );
        } else if (value === undefined) {
          reject(invalidResponse(site, call, 'empty response'));
        } else {
          resolve(value);
        }
      },
    );
  });
}

/** An answer that breaks the API's rules. */
export function invalidResponse(site: CallSite, call: string, problem: string): AtrestError {
  return new AtrestError(ErrorCode.KmsPlugin, `kms plugin "${site.plugin}" at ${site.endpoint}: ${call} returned an invalid response: ${problem}`, {
    plugin: site.plugin,
    endpoint: site.endpoint,
    call,
  });
}
