/**
 * A cloud API on 127.0.0.1 that fails the way AWS does: each path answers every request the same
 * way (a dropped connection, a 503, throttling, an expired token, AccessDenied), in the AWS query
 * protocol's XML, so the real AWS provider reports it as it would against AWS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'reset' | 'unavailable' | 'throttled' | 'expired' | 'denied';

const ANSWERS: Record<
  Exclude<Fault, 'reset'>,
  { status: number; code: string; message: string }
> = {
  unavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service Unavailable' },
  throttled: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
  expired: {
    status: 403,
    code: 'ExpiredToken',
    message: 'The security token included in the request is expired',
  },
  denied: {
    status: 403,
    code: 'AccessDenied',
    message:
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sns:CreateTopic',
  },
};

export interface FaultyCloud {
  /** The endpoint that answers with `fault`. */
  endpoint(fault: Fault): string;
  stop(): Promise<void>;
}

export async function startFaultyCloud(): Promise<FaultyCloud> {
  const servers = new Map<Fault, Server>();
  for (const fault of ['reset', 'unavailable', 'throttled', 'expired', 'denied'] as Fault[]) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (fault === 'reset') {
          req.socket.destroy();
          return;
        }
        const { status, code, message } = ANSWERS[fault];
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
        );
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.set(fault, server);
  }
  return {
    endpoint: (fault) => `http://127.0.0.1:${(servers.get(fault)?.address() as AddressInfo).port}`,
    stop: async () => {
      await Promise.all(
        [...servers.values()].map(
          (s) =>
            new Promise<void>((done) => {
              s.closeAllConnections();
              s.close(() => done());
            }),
        ),
      );
    },
  };
}
