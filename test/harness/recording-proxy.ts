/**
 * A reverse proxy on 127.0.0.1 in front of moto_server that records who signed each request, so a
 * test can prove which credentials our S3 client and Terraform used. Extra routes let a test stand
 * in for other endpoints on the same port (the GitHub OIDC token service, say).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The access key id of the SigV4 Authorization header; '' for unsigned requests. */
  accessKeyId: string;
  /** The service of the signature's scope (s3, sts); '' when unsigned. */
  service: string;
  userAgent: string;
  /** The body, for form-encoded requests (STS actions); '' otherwise. */
  form: string;
}

export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => boolean;

export async function startRecordingProxy(
  target: string,
  routes: Route[] = [],
): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      if (routes.some((route) => route(req, res, text))) return;
      const auth = req.headers.authorization ?? '';
      const credential = /Credential=([^/]+)\/\d+\/[^/]+\/([^/]+)\//.exec(auth);
      const form = String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        accessKeyId: credential?.[1] ?? '',
        service: credential?.[2] ?? '',
        userAgent: String(req.headers['user-agent'] ?? ''),
        form: form ? text : '',
      });
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(error.message);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
