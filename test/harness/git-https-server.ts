/**
 * A private git server over HTTPS on 127.0.0.1: git's own `http-backend` behind a Node HTTPS server
 * with a throwaway self-signed certificate, answering only requests that carry the expected token
 * (as GitHub does for `x-access-token:<token>` basic auth). Point git at the certificate with
 * GIT_SSL_CAINFO.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificates';

export interface GitHttpsServer {
  /** `127.0.0.1:<port>` */
  host: string;
  /** The certificate to trust (GIT_SSL_CAINFO). */
  caFile: string;
  /** Every request: whether it carried the token. */
  requests: { path: string; authorized: boolean }[];
  stop(): Promise<void>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

/** Serves `<org>/<name>.git` for each repository given as files. */
export async function startGitHttpsServer(
  token: string,
  repositories: Record<string, Record<string, string>>,
): Promise<GitHttpsServer> {
  const base = mkdtempSync(join(tmpdir(), 'git-https-'));
  const root = join(base, 'repos');
  for (const [name, files] of Object.entries(repositories)) {
    const work = join(base, 'work', name);
    mkdirSync(work, { recursive: true });
    for (const [path, text] of Object.entries(files)) writeFileSync(join(work, path), text);
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, stdio: 'pipe' });
    git(work, 'init', '-q', '-b', 'main');
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'module');
    mkdirSync(join(root, name, '..'), { recursive: true });
    git(base, 'clone', '-q', '--bare', work, join(root, `${name}.git`));
  }
  const { certFile: caFile, keyFile: key } = selfSignedCertificate(base, 'server', 'IP:127.0.0.1');

  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const requests: GitHttpsServer['requests'] = [];
  const server = createServer(
    { key: readFileSync(key), cert: readFileSync(caFile) },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const authorized = req.headers.authorization === expected;
      requests.push({ path: url.pathname, authorized });
      if (!authorized) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' });
        res.end('token required\n');
        return;
      }
      const cgi = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.replace(/^\?/, ''),
          CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
          REMOTE_USER: 'x-access-token',
          ...(req.headers['git-protocol']
            ? { GIT_PROTOCOL: String(req.headers['git-protocol']) }
            : {}),
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      req.pipe(cgi.stdin);
      const chunks: Buffer[] = [];
      cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      cgi.on('close', () => {
        const output = Buffer.concat(chunks);
        const end = output.indexOf('\r\n\r\n');
        const head = output.subarray(0, end).toString();
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.split('\r\n')) {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        res.writeHead(status, headers);
        res.end(output.subarray(end + 4));
      });
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    caFile,
    requests,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
