/**
 * A proxy on 127.0.0.1 in front of moto_server that injects S3 faults on chosen requests:
 * - `hang`: the request is never forwarded nor answered (a frozen server, as with SIGSTOP, but
 *   aimed at one moment of the flow);
 * - `lose-answer`: the request is applied upstream, then its answer is never delivered (a write
 *   whose reply the network lost; the client times out and retries).
 * `clear()` lifts the faults and drops the connections held so far.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  userAgent: string;
}

export interface FaultRule {
  fault: 'hang' | 'lose-answer';
  match: (request: SeenRequest) => boolean;
  /** Applies to this many matching requests, then lifts itself (default: until cleared). */
  times?: number;
  /** Once it matched, every later request hangs too (S3 frozen from that moment on). */
  freezeAfter?: boolean;
}

export interface FaultProxy {
  endpoint: string;
  seen: SeenRequest[];
  /** Requests a fault was applied to. */
  faulted: SeenRequest[];
  inject(rule: FaultRule): void;
  /** Lifts the faults, drops held connections and forgets what was seen. */
  clear(): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const faulted: SeenRequest[] = [];
  const held: ServerResponse[] = [];
  let rules: (FaultRule & { left: number })[] = [];
  let frozen = false;

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onAnswer: (answer: IncomingMessage) => void,
  ) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      onAnswer,
    );
    out.on('error', () => undefined);
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const info = {
        method: req.method ?? '',
        path: decodeURIComponent(req.url ?? ''),
        userAgent: String(req.headers['user-agent'] ?? ''),
      };
      seen.push(info);
      const rule = rules.find((r) => r.left > 0 && r.match(info));
      if (frozen || rule) {
        faulted.push(info);
        if (rule) {
          rule.left--;
          if (rule.freezeAfter) frozen = true;
        }
        held.push(res);
        if (!frozen && rule?.fault === 'lose-answer')
          forward(req, body, (answer) => answer.resume());
        return;
      }
      forward(req, body, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    faulted,
    inject: (rule) => rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
    clear: () => {
      rules = [];
      frozen = false;
      seen.length = 0;
      faulted.length = 0;
      for (const res of held.splice(0)) res.destroy();
    },
    stop: () =>
      new Promise<void>((done) => {
        for (const res of held.splice(0)) res.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
