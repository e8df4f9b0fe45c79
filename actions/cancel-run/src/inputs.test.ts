import { ConfigurationError } from '@deploy-engine/core';
import { fakeInputs } from '../../../test/support/fake-inputs';
import { parseCancelInputs } from './inputs';

describe('cancel-run inputs', () => {
  it('accepts an empty RUN_ID (nothing to cancel) and defaults FORCE_CANCEL to true', () => {
    expect(parseCancelInputs(fakeInputs({}).parser).inputs).toEqual({
      runId: '',
      forceCancel: true,
      credentials: { mode: 'ambient' },
    });
  });

  it('rejects a FORCE_CANCEL that is not a boolean, naming it', () => {
    expect(() =>
      parseCancelInputs(fakeInputs({ RUN_ID: 'x', FORCE_CANCEL: 'perhaps' }).parser),
    ).toThrow(
      new ConfigurationError({
        message: "Input FORCE_CANCEL must be true or false, got 'perhaps'.",
      }),
    );
  });

  it('masks CLIENT_KEY and warns that the StackSpot inputs are ignored', () => {
    const fake = fakeInputs({ RUN_ID: 'x', CLIENT_ID: 'id', CLIENT_KEY: 'key-secret' });
    expect(parseCancelInputs(fake.parser).warnings).toEqual([
      expect.stringMatching(/^CLIENT_ID, CLIENT_KEY are ignored/),
    ]);
    expect(fake.masked).toEqual(['key-secret']);
  });
});
