/**
 * A proxy on 127.0.0.1 in front of moto_server. It records every request with who signed it, so a
 * test can prove which credentials our S3 client and Terraform used, and it injects S3 faults on
 * chosen requests:
 * - `hang`: the request is never forwarded nor answered (a frozen server, as with SIGSTOP, but
 *   aimed at one moment of the flow);
 * - `lose-answer`: the request is applied upstream, then its answer is never delivered (a write
 *   whose reply the network lost; the client times out and retries).
 * Extra routes let a test stand in for other endpoints on the same port (the GitHub OIDC token
 * service, say). `clear()` lifts the faults and drops the connections held so far.
 *
 * For benchmarks, `latencyMs` delays every forwarded request by that long before it goes upstream
 * (the round trip a runner has to real S3, ~25 ms; default 0), and each seen request records its
 * body's size and, once answered, the status upstream gave it.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** The path and query, decoded. */
  path: string;
  userAgent: string;
  /** The access key id of the SigV4 Authorization header; '' for unsigned requests. */
  accessKeyId: string;
  /** The service of the signature's scope (s3, sts); '' when unsigned. */
  service: string;
  /** The body, for form-encoded requests (STS actions); '' otherwise. */
  form: string;
  /** The request body's size in bytes (what a PUT wrote). */
  bytes: number;
  /** The status upstream answered with, once it did (undefined for faulted requests). */
  status?: number;
}

export interface S3ProxyOptions {
  /** Added before each forwarded request (ms): the latency of a real S3. Default 0. */
  latencyMs?: number;
}

export interface FaultRule {
  fault: 'hang' | 'lose-answer';
  match: (request: SeenRequest) => boolean;
  /** Applies to this many matching requests, then lifts itself (default: until cleared). */
  times?: number;
  /** Once it matched, every later request hangs too (S3 frozen from that moment on). */
  freezeAfter?: boolean;
}

/** Answers a request itself (true) instead of forwarding it. */
export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => boolean;

export interface S3Proxy {
  endpoint: string;
  /** Every forwarded or faulted request (not those a route answered). */
  seen: SeenRequest[];
  /** Requests a fault was applied to. */
  faulted: SeenRequest[];
  inject(rule: FaultRule): void;
  /** Lifts the faults, drops held connections and forgets what was seen. */
  clear(): void;
  stop(): Promise<void>;
}

function describe(req: IncomingMessage, body: string, bytes: number): SeenRequest {
  const credential = /Credential=([^/]+)\/\d+\/[^/]+\/([^/]+)\//.exec(
    req.headers.authorization ?? '',
  );
  const form = String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
  return {
    method: req.method ?? '',
    path: decodeURIComponent(req.url ?? ''),
    userAgent: String(req.headers['user-agent'] ?? ''),
    accessKeyId: credential?.[1] ?? '',
    service: credential?.[2] ?? '',
    form: form ? body : '',
    bytes,
  };
}

export async function startS3Proxy(
  target: string,
  routes: Route[] = [],
  options: S3ProxyOptions = {},
): Promise<S3Proxy> {
  const upstream = new URL(target);
  const latencyMs = options.latencyMs ?? 0;
  const seen: SeenRequest[] = [];
  const faulted: SeenRequest[] = [];
  const held: ServerResponse[] = [];
  let rules: (FaultRule & { left: number })[] = [];
  let frozen = false;

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    onAnswer: (answer: IncomingMessage) => void,
    onError: (error: Error) => void = () => undefined,
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
    out.on('error', onError);
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      if (routes.some((route) => route(req, res, text))) return;
      const info = describe(req, text, body.length);
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
      const send = () =>
        forward(
          req,
          body,
          (answer) => {
            info.status = answer.statusCode;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
          (error) => {
            res.writeHead(502);
            res.end(error.message);
          },
        );
      if (latencyMs > 0) setTimeout(send, latencyMs);
      else send();
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
