// HTTP/2 error codes (RFC 9113 section 7) as the stable names errors.csv uses:
// `h2_rst_<name>` for a stream the server reset, `h2_goaway_<name>` for a GOAWAY that
// carried an error.

const names = [
  'no_error',
  'protocol_error',
  'internal_error',
  'flow_control_error',
  'settings_timeout',
  'stream_closed',
  'frame_size_error',
  'refused_stream',
  'cancel',
  'compression_error',
  'connect_error',
  'enhance_your_calm',
  'inadequate_security',
  'http_1_1_required',
] as const;

/** The RFC's name of an HTTP/2 error code, lower case; an unknown code as its number. */
export function http2CodeName(code: number): string {
  return names[code] ?? `code_${code}`;
}

export const refusedStreamCode = 7;
