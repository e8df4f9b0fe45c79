/**
 * A Terraform releases server on 127.0.0.1 with releases.hashicorp.com's layout
 * (`/<version>/terraform_<version>_SHA256SUMS`, `/<version>/terraform_<version>_linux_amd64.zip`),
 * serving the real `terraform` on PATH under the version names a test gives it (no download from
 * HashiCorp is possible here). Counts what was asked for.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let zipped: Buffer | undefined;

/** The terraform binary on PATH as a release zip (stored, not deflated: 90 MB zip in a second). */
function terraformZip(): Buffer {
  if (zipped) return zipped;
  const binary = execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim();
  if (!binary) throw new Error('harness: terraform is not on PATH');
  const zip = join(mkdtempSync(join(tmpdir(), 'tf-release-')), 'terraform.zip');
  execFileSync('python3', [
    '-c',
    [
      'import sys, zipfile',
      "z = zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED)",
      "i = zipfile.ZipInfo('terraform')",
      'i.external_attr = 0o755 << 16',
      "z.writestr(i, open(sys.argv[1], 'rb').read())",
      'z.close()',
    ].join('\n'),
    binary,
    zip,
  ]);
  zipped = readFileSync(zip);
  return zipped;
}

export interface ReleaseServer {
  /** The TERRAFORM_RELEASES_URL to give the actions. */
  url: string;
  /** Every path asked for, in order. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * Serves the real terraform as each of `versions`; `tampered` ones list a SHA-256 in SHA256SUMS
 * that is not the zip's. Any other path is a 404.
 */
export async function startReleaseServer(
  versions: readonly string[],
  tampered: readonly string[] = [],
): Promise<ReleaseServer> {
  const body = terraformZip();
  const sum = createHash('sha256').update(body).digest('hex');
  const files = new Map<string, Buffer>();
  for (const version of [...versions, ...tampered]) {
    const name = `terraform_${version}_linux_amd64.zip`;
    const listed = tampered.includes(version) ? 'f'.repeat(64) : sum;
    files.set(`/${version}/${name}`, body);
    files.set(
      `/${version}/terraform_${version}_SHA256SUMS`,
      Buffer.from(`${'0'.repeat(64)}  terraform_${version}_darwin_arm64.zip\n${listed}  ${name}\n`),
    );
  }
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const found = files.get(req.url ?? '');
    res.writeHead(found ? 200 : 404, { 'content-length': found ? found.length : 9 });
    res.end(found ?? 'not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((done) => server.close(() => done())),
  };
}
