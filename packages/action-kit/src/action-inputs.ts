/** Reading inputs from the runner: `core.getInput` with every secret masked (in its encoded forms too) through registerSecret. */
import * as core from '@actions/core';
import { InputParser } from './input-parser';
import { registerSecret } from './register-secret';

/** An InputParser over the step's real inputs. */
export function runnerInputs(): InputParser {
  return new InputParser(
    (name) => core.getInput(name),
    (value) => registerSecret(value),
  );
}
