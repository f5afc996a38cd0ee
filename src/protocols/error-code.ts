// Turns whatever a socket, undici or ws throws into one short, stable code for errors.csv.

const undiciCodes: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_SOCKET: 'socket_closed',
  UND_ERR_CLOSED: 'client_closed',
  UND_ERR_DESTROYED: 'client_closed',
  UND_ERR_ABORTED: 'aborted',
  UND_ERR_INFO: 'http_invalid',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'http_invalid',
  UND_ERR_RESPONSE_STATUS_CODE: 'http_invalid',
};

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, cause } = error as { code?: unknown; cause?: unknown };
    // undici wraps the socket's own error (ECONNRESET) as the cause of UND_ERR_SOCKET
    if (code === 'UND_ERR_SOCKET' && cause && typeof cause === 'object' && 'code' in cause) {
      return errorCode(cause);
    }
    if (typeof code === 'string') {
      if (code.startsWith('HPE_')) return 'http_parse_error';
      return undiciCodes[code] ?? code;
    }
    if (error instanceof Error && /parse error|invalid/i.test(error.message)) return 'protocol_error';
  }
  return 'unknown';
}
