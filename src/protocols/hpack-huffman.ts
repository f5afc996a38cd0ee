// HPACK's Huffman code (RFC 7541 section 5.2 and Appendix B), decode side only: sockcap sends
// its request headers as plain literals. The code is canonical (codes of one length are
// consecutive, in symbol order, after every shorter one), so Appendix B's `len` column
// determines it: the codes are derived from the lengths below, and the tests hold a sample of
// them to the appendix's hex column. Decoding walks a state machine four bits at a time: the
// states are the internal nodes of the code tree, and a nibble emits at most one symbol (the
// shortest code is 5 bits).
import { HpackError } from './hpack-error.js';

/** Appendix B's code length of symbols 0..255 and EOS (256), in bits. */
// prettier-ignore
export const huffmanCodeLengths: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];
const eos = 256;

/** Each symbol's code, right-aligned, derived canonically from `huffmanCodeLengths`. */
export const huffmanCodes: readonly number[] = canonicalCodes();

function canonicalCodes(): number[] {
  const order = huffmanCodeLengths.map((length, symbol) => ({ length, symbol })).sort((a, b) => a.length - b.length || a.symbol - b.symbol);
  const codes: number[] = new Array<number>(huffmanCodeLengths.length).fill(0);
  let code = 0;
  let length = order[0]!.length;
  for (const entry of order) {
    code *= 2 ** (entry.length - length);
    length = entry.length;
    codes[entry.symbol] = code++;
  }
  // A complete prefix code ends on all ones: the last (EOS) code is 2^30 - 1.
  if (code !== 2 ** length) throw new Error('HPACK Huffman table: the code lengths do not form a complete code');
  return codes;
}

// The state machine: per (state, nibble) the next state, the symbol emitted (or -1), and
// whether the bits read since the last symbol may end the string (all ones, fewer than 8).
const nextState = new Uint16Array(256 * 16);
const emitted = new Int16Array(256 * 16).fill(-1);
/** Bit 0: accepting; bit 1: the nibble hit EOS or left the tree (a decoding error). */
const flags = new Uint8Array(256 * 16);

buildStateMachine();

function buildStateMachine(): void {
  // The tree: node 0 the root, children[node * 2 + bit] a node index, or -(symbol + 1) for a leaf.
  const children: number[] = [0, 0];
  let nodes = 1;
  huffmanCodes.forEach((code, symbol) => {
    const length = huffmanCodeLengths[symbol]!;
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const slot = node * 2 + ((code >>> bit) & 1);
      if (bit === 0) children[slot] = -(symbol + 1);
      else {
        if (children[slot] === 0) {
          children[slot] = nodes++;
          children.push(0, 0);
        }
        node = children[slot]!;
      }
    }
  });
  // Depth of ones from the root along each node, for the padding rule: a state is a valid end
  // when it was reached from the root by ones only, fewer than 8 of them.
  const onesDepth = new Int8Array(nodes).fill(-1);
  onesDepth[0] = 0;
  for (let node = 0, depth = 0; children[node * 2 + 1]! > 0; depth++) {
    node = children[node * 2 + 1]!;
    onesDepth[node] = depth + 1;
  }
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      const at = state * 16 + nibble;
      let node = state;
      for (let bit = 3; bit >= 0; bit--) {
        const child = children[node * 2 + ((nibble >>> bit) & 1)]!;
        if (child < 0) {
          const symbol = -child - 1;
          if (symbol === eos) flags[at] = 2;
          emitted[at] = symbol;
          node = 0;
        } else node = child;
      }
      nextState[at] = node;
      if (onesDepth[node]! >= 0 && onesDepth[node]! < 8) flags[at]! |= 1;
    }
  }
}

const scratch = Buffer.allocUnsafe(8192);

/** Decodes `source[start, end)`, a Huffman-coded string literal; throws HpackError on a malformed one. */
export function huffmanDecode(source: Uint8Array, start: number, end: number): string {
  // Every symbol takes 5 bits at least: 8 bytes decode to at most 12 symbols.
  const out = (end - start) * 2 <= scratch.length ? scratch : Buffer.allocUnsafe((end - start) * 2);
  let length = 0;
  let state = 0;
  let accepting = true;
  for (let at = start; at < end; at++) {
    const byte = source[at]!;
    for (let shift = 4; shift >= 0; shift -= 4) {
      const index = state * 16 + ((byte >>> shift) & 15);
      const flag = flags[index]!;
      if (flag & 2) throw new HpackError('a Huffman-coded string contains EOS');
      const symbol = emitted[index]!;
      if (symbol >= 0) out[length++] = symbol;
      state = nextState[index]!;
      accepting = (flag & 1) === 1;
    }
  }
  if (!accepting) throw new HpackError('a Huffman-coded string ends in padding that is not the start of EOS');
  return out.toString('latin1', 0, length);
}
