/** Reading inputs from the runner: `core.getInput` with every secret masked through `core.setSecret`. */
import * as core from '@actions/core';
import { InputParser } from './input-parser';

/** An InputParser over the step's real inputs. */
export function runnerInputs(): InputParser {
  return new InputParser(
    (name) => core.getInput(name),
    (value) => core.setSecret(value),
  );
}
