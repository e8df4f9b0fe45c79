/** An InputParser over a plain map, recording which inputs were read and which values were masked. */
import { InputParser } from '@deploy-engine/action-kit';

export interface FakeInputs {
  parser: InputParser;
  read: Set<string>;
  masked: string[];
}

export function fakeInputs(values: Record<string, string>): FakeInputs {
  const read = new Set<string>();
  const masked: string[] = [];
  const parser = new InputParser(
    (name) => {
      read.add(name);
      return values[name] ?? '';
    },
    (value) => masked.push(value),
  );
  return { parser, read, masked };
}
