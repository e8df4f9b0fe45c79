import { parseDynamicInputs } from './dynamic-inputs';

describe('parseDynamicInputs', () => {
  it('parses --key value, --key=value and quoted values', () => {
    expect(
      parseDynamicInputs(`--bucket_name my-bucket --replicas=2 --title "two words" --empty ''`),
    ).toEqual({ bucket_name: 'my-bucket', replicas: '2', title: 'two words', empty: '' });
  });

  it('treats an empty string as no inputs', () => {
    expect(parseDynamicInputs('  ')).toEqual({});
  });

  it.each([
    ['bucket x', /'bucket' is not a --key/],
    ['--bucket', /gives no value for --bucket/],
    ['--a --b c', /gives no value for --a/],
    ['--a "open', /unclosed " quote/],
    ['--1abc x', /not a valid input name/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseDynamicInputs(raw)).toThrow(message);
  });
});
