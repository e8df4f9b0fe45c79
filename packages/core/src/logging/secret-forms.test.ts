import { maskSecrets, MemoryLogger } from './logger';
import { secretForms, secretMasker } from './secret-forms';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY "q" <&> ü';

describe('secretForms', () => {
  it('masks the secret base64-encoded at every byte offset inside a longer text, padded or not', () => {
    const mask = secretMasker([SECRET]);
    for (const before of ['', 'A', 'AB', 'ABC', 'AWS_SECRET_ACCESS_KEY=']) {
      for (const after of ['', '\0', '\0HOME=/root\0']) {
        const encoded = Buffer.from(`${before}${SECRET}${after}`).toString('base64');
        const masked = mask(`x ${encoded} y`);
        expect(masked).toContain('***');
        // What is left of the encoded text decodes to nothing of the secret beyond 2 bytes.
        const visible = masked.replace(/^x |\sy$/g, '').split('***');
        for (const part of visible) {
          const decoded = Buffer.from(part, 'base64').toString('latin1');
          expect(decoded).not.toContain(SECRET.slice(2, 8));
        }
      }
    }
    expect(mask(Buffer.from(SECRET).toString('base64').replace(/=+$/, ''))).toBe('***');
  });

  it("masks Terraform's urlencode and jsonencode spellings and JavaScript's", () => {
    const mask = secretMasker([SECRET]);
    const goQuery = encodeURIComponent(SECRET).replace(/%20/g, '+');
    expect(mask(`u=${goQuery}&v=1`)).toBe('u=***&v=1');
    expect(mask(`p/${encodeURIComponent(SECRET)}/`)).toBe('p/***/');
    expect(mask(JSON.stringify({ k: SECRET }))).toBe('{"k":"***"}');
    const goJson = JSON.stringify(SECRET)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026');
    expect(mask(`{"k":${goJson}}`)).toBe('{"k":"***"}');
  });

  it('leaves out encodings too short to mask safely, never the value itself', () => {
    expect(secretForms('ab')).toEqual(['ab']);
    expect(secretForms('')).toEqual([]);
    expect(secretForms('abcdef').length).toBeGreaterThan(1);
  });

  it('is what maskSecrets and the loggers apply', () => {
    const logger = new MemoryLogger();
    logger.addSecret(SECRET);
    logger.info(`value: ${Buffer.from(SECRET).toString('base64')}`);
    expect(logger.messages('info')).toEqual(['value: ***']);
    expect(maskSecrets(encodeURIComponent(SECRET), [SECRET])).toBe('***');
  });
});
