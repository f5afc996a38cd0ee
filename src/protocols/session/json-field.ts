// One field of a JSON message read from its bytes, without JSON.parse: a correlated reply is
// recognised by one id, and parsing a whole message into objects only to read it was the
// largest part of a session loop's own CPU per message (profiled). The scan checks the whole
// message, so it answers only for text JSON.parse would accept, with the value JSON.parse
// and fieldAt would give (a repeated key: the last one wins). Whatever it is unsure of —
// escapes, non-ASCII keys, arrays or objects on the way or at the end, deep nesting,
// anything invalid — it leaves to JSON.parse by answering `unsure`.

export const unsure: unique symbol = Symbol('unsure');

const maxDepth = 64;
const quote = 0x22;
const closeObject = 0x7d;
const closeArray = 0x5d;
const backslash = 0x5c;

/** What the field found is; the scanner keeps where it is and makes the value at the end. */
const Kind = { Absent: 0, String: 1, Number: 2, True: 3, False: 4, Null: 5 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** What an object's key says: not JSON (or unsure), another key, or the path's next key. */
const Member = { Unsure: 0, Other: 1, OnPath: 2 } as const;
type Member = (typeof Member)[keyof typeof Member];

const noBytes = Buffer.alloc(0);

/** One per reader, used for one message after another: a scan allocates nothing but the value it returns. */
export class FieldScanner {
  private bytes: Buffer = noBytes;
  private path: readonly Buffer[] = [];
  private at = 0;
  private kind: Kind = Kind.Absent;
  private start = 0;
  private end = 0;

  /** The field at `path` (each key as UTF-8 bytes), undefined when absent, or `unsure`. */
  read(bytes: Buffer, path: readonly Buffer[]): unknown {
    this.bytes = bytes;
    this.path = path;
    this.at = 0;
    this.kind = Kind.Absent;
    this.skipSpace();
    const read = this.value(0, true) && (this.skipSpace(), this.at === bytes.length);
    const field = read ? this.result() : unsure;
    this.bytes = noBytes;
    return field;
  }

  private result(): unknown {
    switch (this.kind) {
      case Kind.Absent:
        return undefined;
      case Kind.String:
        return this.bytes.toString('utf8', this.start, this.end);
      case Kind.Number:
        return this.integer() ?? Number(this.bytes.toString('latin1', this.start, this.end));
      case Kind.True:
        return true;
      case Kind.False:
        return false;
      case Kind.Null:
        return null;
    }
  }

  /** A whole number of at most 15 digits (an id, a sequence number) from its digits, without making its text. */
  private integer(): number | undefined {
    const { bytes, end } = this;
    const negative = bytes[this.start] === 0x2d;
    const start = negative ? this.start + 1 : this.start;
    if (end - start > 15) return undefined;
    let n = 0;
    for (let i = start; i < end; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      n = n * 10 + digit;
    }
    return negative ? -n : n;
  }

  private skipSpace(): void {
    const { bytes } = this;
    let b = bytes[this.at];
    while (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) b = bytes[++this.at];
  }

  /**
   * One value at `depth`; `onPath`: the keys above it are the path's first `depth` keys, so
   * it is the field (depth = path length) or contains it. False: unsure, or not JSON.
   */
  private value(depth: number, onPath: boolean): boolean {
    const target = onPath && depth === this.path.length;
    // A later occurrence of a key on the path replaces what an earlier one held.
    if (onPath) this.kind = Kind.Absent;
    const b = this.bytes[this.at];
    const start = this.at;
    let kind: Kind;
    if (b === 0x7b) {
      if (target || depth >= maxDepth) return false;
      return this.container(depth, onPath, closeObject);
    } else if (b === 0x5b) {
      // fieldAt reads an array's own properties ("0", "length"): JSON.parse answers that.
      if (onPath || depth >= maxDepth) return false;
      return this.container(depth, false, closeArray);
    } else if (b === quote) {
      if (!this.string()) return false;
      if (target) {
        this.kind = Kind.String;
        this.start = start + 1;
        this.end = this.at - 1;
      }
      return true;
    } else if (b === 0x74) kind = this.literal('true', Kind.True);
    else if (b === 0x66) kind = this.literal('false', Kind.False);
    else if (b === 0x6e) kind = this.literal('null', Kind.Null);
    else kind = this.number();
    if (kind === Kind.Absent) return false;
    if (target) {
      this.kind = kind;
      this.start = start;
      this.end = this.at;
    }
    return true;
  }

  /** An object's members or an array's items, after its opening bracket; `close` says which. */
  private container(depth: number, onPath: boolean, close: number): boolean {
    const { bytes } = this;
    this.at++;
    this.skipSpace();
    if (bytes[this.at] === close) {
      this.at++;
      return true;
    }
    const key = onPath ? this.path[depth] : undefined;
    for (;;) {
      const member = close === closeObject ? this.key(key) : Member.Other;
      if (member === Member.Unsure || !this.value(depth + 1, member === Member.OnPath)) return false;
      this.skipSpace();
      const next = bytes[this.at++];
      if (next === close) return true;
      if (next !== 0x2c) return false;
      this.skipSpace();
    }
  }

  /** A member's key and its colon: whether the key is `key` (the path's next one). */
  private key(key: Buffer | undefined): Member {
    const { bytes } = this;
    if (bytes[this.at] !== quote) return Member.Unsure;
    const keyStart = this.at + 1;
    if (!this.string()) return Member.Unsure;
    const keyEnd = this.at - 1;
    let matches = false;
    if (key !== undefined) {
      for (let i = keyStart; i < keyEnd; i++) if (bytes[i]! >= 0x80) return Member.Unsure;
      matches = keyEnd - keyStart === key.length && sameBytes(bytes, keyStart, key);
    }
    this.skipSpace();
    if (bytes[this.at] !== 0x3a) return Member.Unsure;
    this.at++;
    this.skipSpace();
    return matches ? Member.OnPath : Member.Other;
  }

  /** A string without escapes or control characters; the position ends after its closing quote. */
  private string(): boolean {
    const { bytes } = this;
    let i = this.at + 1;
    for (;;) {
      const b = bytes[i];
      if (b === quote) break;
      if (b === undefined || b === backslash || b < 0x20) return false;
      i++;
    }
    this.at = i + 1;
    return true;
  }

  private literal(word: string, kind: Kind): Kind {
    const { bytes } = this;
    for (let i = 0; i < word.length; i++) if (bytes[this.at + i] !== word.charCodeAt(i)) return Kind.Absent;
    this.at += word.length;
    return kind;
  }

  /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(): Kind {
    const { bytes } = this;
    let i = this.at;
    if (bytes[i] === 0x2d) i++;
    if (bytes[i] === 0x30) i++;
    else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
    else return Kind.Absent;
    if (bytes[i] === 0x2e) {
      i++;
      if (!isDigit(bytes[i])) return Kind.Absent;
      while (isDigit(bytes[i])) i++;
    }
    if (bytes[i] === 0x65 || bytes[i] === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
      if (!isDigit(bytes[i])) return Kind.Absent;
      while (isDigit(bytes[i])) i++;
    }
    this.at = i;
    return Kind.Number;
  }
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function sameBytes(bytes: Buffer, from: number, key: Buffer): boolean {
  for (let i = 0; i < key.length; i++) if (bytes[from + i] !== key[i]) return false;
  return true;
}
