/**
 * A Terraform provider network mirror on 127.0.0.1 (HTTPS, Terraform's provider network mirror
 * protocol) serving one real provider: `deploy-engine.test/bench/marker` 1.0.0 for linux_amd64
 * (test/provider/server.cjs, run by Node). It stands in for the registry the machines here cannot
 * reach: Terraform downloads, checks and unpacks the provider package from it as it would from
 * registry.terraform.io, and the mirror counts the package downloads.
 *
 * Point Terraform at it with `cliConfig` (a CLI configuration file) and trust its certificate
 * with SSL_CERT_FILE (both in `env`). `paddingBytes` adds a file of that size to the package, so
 * its download and unpacking cost what a real provider's would (hashicorp/aws is ~0.7 GB unpacked).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ZipFile } from 'yazl';
import { selfSignedCertificate } from './certificates';

export const MARKER_SOURCE = 'deploy-engine.test/bench/marker';
const VERSION = '1.0.0';
const PLATFORM = 'linux_amd64';
const ARCHIVE = `terraform-provider-marker_${VERSION}_${PLATFORM}.zip`;

export interface ProviderMirror {
  /** `https://127.0.0.1:<port>/` */
  url: string;
  /** A Terraform CLI configuration that installs providers from this mirror only. */
  cliConfig: string;
  /** TF_CLI_CONFIG_FILE and SSL_CERT_FILE, for whatever runs Terraform. */
  env: Record<string, string>;
  /** How many times the provider package was downloaded. */
  downloads(): number;
  /** The package's size in bytes. */
  packageBytes: number;
  stop(): Promise<void>;
}

/** A `required_providers` block and a resource of the marker provider (for a plugin's main.tf). */
export function markerResource(name: string, input: string): string {
  return `terraform {\n  required_providers {\n    marker = { source = "${MARKER_SOURCE}", version = "~> 1.0" }\n  }\n}\nresource "marker_value" "${name}" { input = ${input} }\n`;
}

/**
 * The provider's executable: a shell script that runs test/provider/server.cjs with Node. Makes
 * the provider's own gRPC certificate in `dir` (go-plugin's AutoMTLS checks it against
 * "localhost"). With `sentinel`, the script first creates that file: proof that it ran.
 */
function markerLauncher(dir: string, sentinel?: string): string {
  selfSignedCertificate(dir, 'server', 'DNS:localhost');
  return [
    '#!/bin/sh',
    ...(sentinel ? [`echo "$PPID" >> '${sentinel}'`] : []),
    `MARKER_PROVIDER_TLS_DIR='${dir}' exec '${process.execPath}' '${resolve(__dirname, '../provider/server.cjs')}' "$@"`,
    '',
  ].join('\n');
}

/**
 * Writes the marker provider unpacked in a local mirror folder's layout
 * (`<folder>/deploy-engine.test/bench/marker/1.0.0/linux_amd64/`), as a plugin could ship it in
 * `terraform.d/plugins`; the package appends Terraform's pid to `sentinel` whenever it runs.
 */
export function writeMarkerPackage(folder: string, sentinel: string): string {
  const packageDir = join(folder, MARKER_SOURCE, VERSION, PLATFORM);
  mkdirSync(packageDir, { recursive: true });
  const tls = mkdtempSync(join(tmpdir(), 'marker-tls-'));
  const executable = join(packageDir, `terraform-provider-marker_v${VERSION}`);
  writeFileSync(executable, markerLauncher(tls, sentinel));
  chmodSync(executable, 0o755);
  return packageDir;
}

/**
 * The marker provider as a packed package (`terraform-provider-marker_1.0.0_linux_amd64.zip`), as
 * a plugin could ship it in `terraform.d/plugins/deploy-engine.test/bench/marker/`; it appends
 * Terraform's pid to `sentinel` whenever it runs.
 */
export function markerPackageZip(sentinel: string): Promise<{ name: string; data: Buffer }> {
  const tls = mkdtempSync(join(tmpdir(), 'marker-tls-'));
  return zip([
    {
      name: `terraform-provider-marker_v${VERSION}`,
      data: Buffer.from(markerLauncher(tls, sentinel)),
      mode: 0o100755,
    },
  ]).then((data) => ({ name: ARCHIVE, data }));
}

function zip(files: { name: string; data: Buffer; mode: number }[]): Promise<Buffer> {
  const archive = new ZipFile();
  // Stored, not deflated, past 1 MB: the padding is random and would only cost time.
  for (const file of files)
    archive.addBuffer(file.data, file.name, { mode: file.mode, compress: file.data.length < 1e6 });
  archive.end();
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    archive.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on('end', () => done(Buffer.concat(chunks)));
    archive.outputStream.on('error', fail);
  });
}

export async function startProviderMirror(
  options: { paddingBytes?: number } = {},
): Promise<ProviderMirror> {
  const dir = mkdtempSync(join(tmpdir(), 'provider-mirror-'));
  const server = selfSignedCertificate(dir, 'mirror', 'IP:127.0.0.1');
  const launcher = markerLauncher(dir);
  const files = [
    { name: `terraform-provider-marker_v${VERSION}`, data: Buffer.from(launcher), mode: 0o100755 },
  ];
  if (options.paddingBytes)
    files.push({
      name: 'padding.bin',
      data: randomBytes(options.paddingBytes),
      mode: 0o100644,
    });
  const archive = await zip(files);
  const zh = `zh:${createHash('sha256').update(archive).digest('hex')}`;

  let downloads = 0;
  const base = `/${MARKER_SOURCE}/`;
  const https = createServer(
    { key: readFileSync(server.keyFile), cert: readFileSync(server.certFile) },
    (req, res) => {
      const path = req.url ?? '';
      const json = (value: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (path === `${base}index.json`) return json({ versions: { [VERSION]: {} } });
      if (path === `${base}${VERSION}.json`)
        return json({ archives: { [PLATFORM]: { url: ARCHIVE, hashes: [zh] } } });
      if (path === `${base}${ARCHIVE}`) {
        // go-getter asks with HEAD before it downloads with GET.
        if (req.method === 'HEAD') {
          res.writeHead(200, {
            'content-type': 'application/zip',
            'content-length': archive.length,
          });
          return res.end();
        }
        downloads++;
        res.writeHead(200, { 'content-type': 'application/zip' });
        return res.end(archive);
      }
      res.writeHead(404);
      res.end();
    },
  );
  await new Promise<void>((done) => https.listen(0, '127.0.0.1', done));
  const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/`;
  const cliConfig = join(dir, 'terraformrc');
  writeFileSync(
    cliConfig,
    `provider_installation {\n  network_mirror {\n    url = "${url}"\n  }\n}\n`,
  );
  chmodSync(cliConfig, 0o644);
  return {
    url,
    cliConfig,
    env: { TF_CLI_CONFIG_FILE: cliConfig, SSL_CERT_FILE: server.certFile },
    downloads: () => downloads,
    packageBytes: archive.length,
    stop: () =>
      new Promise<void>((done) => {
        https.closeAllConnections();
        https.close(() => done());
      }),
  };
}
