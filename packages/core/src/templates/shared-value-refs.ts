/**
 * Which shared values a plugin's templates read (`{{ var.KEY }}`, `{{ var['KEY'] }}`), so a run
 * records and compares only those. Only Jinja expressions and statements are searched: `var.x` in
 * plain HCL is a Terraform variable. A use the scan cannot resolve (`var[name]`, `var | …`, a loop
 * over `var`) means every shared value.
 */
const JINJA = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const DOTTED = /\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g;
const INDEXED = /\bvar\[\s*(['"])([^'"]+)\1\s*\]/g;
const ANY = /(?<![.\w])var\b/g;

export interface SharedValueRefs {
  keys: string[];
  /** Some template reads `var` in a way that can reach any key. */
  all: boolean;
}

export function sharedValueRefs(templates: Iterable<string>): SharedValueRefs {
  const keys = new Set<string>();
  let all = false;
  for (const text of templates) {
    for (const block of text.matchAll(JINJA)) {
      const code = block[1] ?? block[2] ?? '';
      let resolved = 0;
      for (const m of code.matchAll(DOTTED)) {
        keys.add(m[1] as string);
        resolved++;
      }
      for (const m of code.matchAll(INDEXED)) {
        keys.add(m[2] as string);
        resolved++;
      }
      if ([...code.matchAll(ANY)].length > resolved) all = true;
    }
  }
  return { keys: [...keys].sort(), all };
}
