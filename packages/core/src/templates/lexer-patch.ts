/**
 * Makes nunjucks' lexer read template text as Jinja2 3.1 does where they differ on real plugins:
 * a `#}` outside a comment is text (a Terraform block commented out with `#` that ends in `#}`),
 * not the error "unexpected end of comment". `%}` and `}}` outside tags are text in both already.
 *
 * nunjucks' Tokenizer is not exported and offers no hook, so its text branch is replaced here,
 * once: the code below is nunjucks 3.2's own text branch (pinned by the lockfile) with that one
 * case changed. Code inside `{{ }}` and `{% %}` is still lexed by nunjucks itself.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lexer = require('nunjucks/src/lexer') as {
  lex(src: string, opts?: unknown): unknown;
  TOKEN_DATA: string;
  TOKEN_COMMENT: string;
};

interface Tokenizer {
  in_code: boolean;
  lineno: number;
  colno: number;
  lstripBlocks: boolean;
  tags: Record<'BLOCK_START' | 'VARIABLE_START' | 'COMMENT_START' | 'COMMENT_END', string>;
  nextToken: (this: Tokenizer) => unknown;
  isFinished(): boolean;
  current(): string;
  forward(): void;
  _matches(text: string): boolean;
  _extractString(text: string): string | null;
  _extractUntil(chars: string): string | null;
}

let installed = false;

/** Installs the patch (idempotent). */
export function installLexerPatch(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(lexer.lex('')) as Tokenizer;
  const original = proto.nextToken;
  proto.nextToken = function (this: Tokenizer): unknown {
    const { tags } = this;
    if (
      this.in_code ||
      this.isFinished() ||
      this._matches(tags.BLOCK_START) ||
      this._matches(tags.VARIABLE_START)
    ) {
      return original.call(this);
    }
    return textToken(this);
  };
}

/** Text up to the next tag, or a whole comment: nunjucks' text branch, `#}` in text kept. */
function textToken(lx: Tokenizer): unknown {
  const { tags } = lx;
  const lineno = lx.lineno;
  const colno = lx.colno;
  const beginChars =
    tags.BLOCK_START.charAt(0) +
    tags.VARIABLE_START.charAt(0) +
    tags.COMMENT_START.charAt(0) +
    tags.COMMENT_END.charAt(0);
  let tok = '';
  let inComment = false;
  if (lx._matches(tags.COMMENT_START)) {
    inComment = true;
    tok = lx._extractString(tags.COMMENT_START) ?? '';
  }
  let data: string | null;
  while ((data = lx._extractUntil(beginChars)) !== null) {
    tok += data;
    const startsTag =
      lx._matches(tags.BLOCK_START) ||
      lx._matches(tags.VARIABLE_START) ||
      lx._matches(tags.COMMENT_START);
    if (startsTag && !inComment) {
      if (lx.lstripBlocks && lx._matches(tags.BLOCK_START) && lx.colno > 0) {
        const lastLine = tok.slice(-lx.colno);
        if (lx.colno <= tok.length && /^\s+$/.test(lastLine)) {
          tok = tok.slice(0, -lx.colno);
          if (!tok.length) return lx.nextToken();
        }
      }
      break;
    } else if (lx._matches(tags.COMMENT_END)) {
      tok += lx._extractString(tags.COMMENT_END) ?? '';
      // Jinja: outside a comment, `#}` is text like any other.
      if (inComment) break;
    } else {
      tok += lx.current();
      lx.forward();
    }
  }
  if (data === null && inComment) throw new Error('expected end of comment, got end of file');
  return { type: inComment ? lexer.TOKEN_COMMENT : lexer.TOKEN_DATA, value: tok, lineno, colno };
}
