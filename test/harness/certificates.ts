/** Throwaway self-signed certificates for the test servers on 127.0.0.1, made by openssl. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface Certificate {
  /** PEM files: the certificate (also what a client trusts) and its private key. */
  certFile: string;
  keyFile: string;
}

/**
 * A self-signed certificate in `dir` (`<name>.pem`, `<name>.key`) for the given subjectAltName
 * (`IP:127.0.0.1`, `DNS:localhost`); a CA too, so a client may trust it as its own root.
 */
export function selfSignedCertificate(dir: string, name: string, altName: string): Certificate {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${altName.replace(/^\w+:/, '')}`,
      '-addext',
      `subjectAltName=${altName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile };
}
