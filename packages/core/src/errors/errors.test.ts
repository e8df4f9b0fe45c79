import {
  CancelledError,
  classifyError,
  classifyFailure,
  ConfigurationError,
  ExternalError,
  parseStoredJson,
  StoredObjectError,
} from './errors';

describe('errors', () => {
  it('formats one problem with its location and hint', () => {
    const error = new ConfigurationError({
      message: 'plugin alias "a" is used twice',
      location: { file: '.stk/stk.yaml', line: 12, column: 5 },
      hint: 'Give each plugin its own alias.',
    });
    expect(error.message).toBe(
      '.stk/stk.yaml:12:5: plugin alias "a" is used twice Give each plugin its own alias.',
    );
  });

  it('lists several problems under a summary', () => {
    const error = new ConfigurationError([
      { message: 'one' },
      { message: 'two', location: { file: 'f' } },
    ]);
    expect(error.message).toBe('2 problems found:\n  - one\n  - f: two');
  });

  it('classifies errors into run statuses', () => {
    expect(classifyError(new ConfigurationError({ message: 'x' }))).toBe('USER_ERROR');
    expect(classifyError(new ExternalError('s3 down', { retryable: true }))).toBe('RUNTIME_ERROR');
    expect(classifyError(new CancelledError())).toBe('ABORTED');
    expect(classifyError(new TypeError('bug'))).toBe('RUNTIME_ERROR');
  });

  it('derives the failed task status from the same classification as the run status', () => {
    expect(classifyFailure(new ConfigurationError({ message: 'x' }))).toEqual({
      run: 'USER_ERROR',
      task: 'FAILED',
    });
    expect(classifyFailure(new ExternalError('s3 down'))).toEqual({
      run: 'RUNTIME_ERROR',
      task: 'FAILED',
    });
    expect(classifyFailure(new CancelledError())).toEqual({ run: 'ABORTED', task: 'ABORTED' });
    // A bug of the engine: the run is a runtime error, the task is not the plugin's failure.
    expect(classifyFailure(new TypeError('bug'))).toEqual({
      run: 'RUNTIME_ERROR',
      task: 'INTERNAL_ERROR',
    });
    expect(classifyFailure('thrown text')).toEqual({
      run: 'RUNTIME_ERROR',
      task: 'INTERNAL_ERROR',
    });
  });

  it('names a missing or corrupt stored object, what is wrong and what to do', () => {
    const error = new StoredObjectError(
      { bucket: 'iac', key: 'runs/1/record.json', problem: 'missing' },
      'is missing.',
      'Restore it.',
    );
    expect(error.message).toBe('s3://iac/runs/1/record.json is missing. Restore it.');
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.retryable).toBe(false);
    expect(classifyError(error)).toBe('RUNTIME_ERROR');
    expect(() => parseStoredJson({ bucket: 'iac', key: 'k.json' }, '{', 'Restore it.')).toThrow(
      'k.json is not valid JSON: the object was changed outside this tool or is corrupt. Restore it.',
    );
    expect(parseStoredJson({ bucket: 'iac', key: 'k.json' }, '{"a":1}', '')).toEqual({ a: 1 });
  });
});
