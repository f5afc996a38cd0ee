// A header block the HPACK decoder cannot read: a connection error of type COMPRESSION_ERROR
// (RFC 9113 section 4.3), since the decoding context is lost for every later block.
export class HpackError extends Error {
  readonly code = 'h2_compression_error';
}
