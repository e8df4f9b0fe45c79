import { fakeInputs } from '../../../test/support/fake-inputs';
import { readLogLevel } from './log-level';

function level(values: Record<string, string>) {
  const { parser } = fakeInputs(values);
  const read = readLogLevel(parser, { level: 'LEVEL_LOG', verbose: 'VERBOSE' });
  return { read, warnings: parser.finish('test') };
}

describe('readLogLevel', () => {
  it('is debug when VERBOSE is true or the level says debug, else info', () => {
    expect(level({})).toEqual({ read: 'info', warnings: [] });
    expect(level({ VERBOSE: 'true' })).toEqual({ read: 'debug', warnings: [] });
    expect(level({ LEVEL_LOG: 'DEBUG' })).toEqual({ read: 'debug', warnings: [] });
    expect(level({ VERBOSE: 'false', LEVEL_LOG: 'info' })).toEqual({ read: 'info', warnings: [] });
  });

  it('logs warn and error as info, with one warning saying so', () => {
    for (const value of ['warn', 'error']) {
      expect(level({ LEVEL_LOG: value })).toEqual({
        read: 'info',
        warnings: [expect.stringMatching(`^LEVEL_LOG ${value} is accepted .* and logs as info`)],
      });
    }
  });

  it('refuses an unknown level or a VERBOSE that is not a boolean, naming the input', () => {
    expect(() => level({ LEVEL_LOG: 'trace' })).toThrow(/Input LEVEL_LOG must be one of/);
    expect(() => level({ VERBOSE: 'yes' })).toThrow(/Input VERBOSE must be true or false/);
  });
});
