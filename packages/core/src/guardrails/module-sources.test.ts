import { parseAllowedModuleSources } from './module-sources';

describe('parseAllowedModuleSources', () => {
  it('parses both source types and defaults private to false', () => {
    const masked: string[] = [];
    const parsed = parseAllowedModuleSources(
      '[{"sourceType":"gitHttps","path":"github.com/acme","private":true,"token":"ghp_secret"},{"sourceType":"terraformRegistry","path":"terraform-aws-modules/vpc"}]',
      (t) => masked.push(t),
    );
    expect(parsed).toEqual([
      { sourceType: 'gitHttps', path: 'github.com/acme', private: true, token: 'ghp_secret' },
      { sourceType: 'terraformRegistry', path: 'terraform-aws-modules/vpc', private: false },
    ]);
    expect(masked).toEqual(['ghp_secret']);
  });

  it('masks tokens even when a later element is invalid', () => {
    const masked: string[] = [];
    expect(() =>
      parseAllowedModuleSources(
        '[{"sourceType":"ftp","path":"x","token":"tok_1"},{"sourceType":"gitHttps","path":"a","token":"tok_2"}]',
        (t) => masked.push(t),
      ),
    ).toThrow(/element 0 has sourceType "ftp"/);
    expect(masked).toEqual(['tok_1', 'tok_2']);
  });

  it.each([
    ['[{"sourceType":"gitHttps"', /is not valid JSON/],
    ['{"sourceType":"gitHttps"}', /must be a JSON list/],
    ['[{"sourceType":"gitHttps","path":""}]', /element 0 has no path/],
    [
      '[{"sourceType":"gitHttps","path":"github.com/a","private":"yes"}]',
      /"private" that is not true or false/,
    ],
    [
      '[{"sourceType":"gitHttps","path":"github.com/a","private":true}]',
      /private gitHttps source without a token/,
    ],
  ])('rejects %s', (raw, message) => {
    expect(() => parseAllowedModuleSources(raw)).toThrow(message);
  });
});
