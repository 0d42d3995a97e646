/**
 * Splits a chunked text stream into whole lines (the HTTP log fallback): a chunk may end inside a
 * line, which is kept until its newline arrives; `flush` returns the unterminated last line.
 */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((l) => l.replace(/\r$/, ''));
  }

  flush(): string[] {
    const r = this.rest;
    this.rest = '';
    return r === '' ? [] : [r.replace(/\r$/, '')];
  }
}
