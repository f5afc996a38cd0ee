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

// Certificate verification (OpenSSL's names, as Node reports them) and the other TLS failures
// a user can fix, each under one name that says what is wrong.
const tlsCodes: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls_untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls_untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls_untrusted',
  CERT_UNTRUSTED: 'tls_untrusted',
  CERT_SIGNATURE_FAILURE: 'tls_untrusted',
  CERT_HAS_EXPIRED: 'tls_expired',
  CERT_NOT_YET_VALID: 'tls_not_yet_valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls_hostname',
  HOSTNAME_MISMATCH: 'tls_hostname',
  // TLS sent to a plain port gets plain bytes back; plain HTTP sent to a TLS port is refused.
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls_protocol_mismatch',
  ERR_SSL_HTTP_REQUEST: 'tls_protocol_mismatch',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'tls_protocol_mismatch',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'tls_client_certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'tls_client_certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'tls_client_certificate',
};

/** Whether a code from errorCode() names a TLS failure. */
export function isTlsCode(code: string): boolean {
  return code.startsWith('tls_');
}

export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, cause } = error as { code?: unknown; cause?: unknown };
    // undici wraps the socket's own error (ECONNRESET) as the cause of UND_ERR_SOCKET
    if (code === 'UND_ERR_SOCKET' && cause && typeof cause === 'object' && 'code' in cause) {
      return errorCode(cause);
    }
    if (typeof code === 'string') {
      if (code.startsWith('HPE_')) return 'http_parse_error';
      if (code === 'EPROTO' && error instanceof Error && /wrong version number/i.test(error.message)) return 'tls_protocol_mismatch';
      return undiciCodes[code] ?? tlsCodes[code] ?? code;
    }
    // undici's parser error has no code when the bytes are no HTTP at all ('Expected HTTP/').
    if (error instanceof Error && error.name === 'HTTPParserError') return 'http_parse_error';
    // ws's handshakeTimeout carries no code, only this message.
    if (error instanceof Error && /opening handshake has timed out/i.test(error.message)) return 'handshake_timeout';
    // ws refuses an upgrade whose Sec-WebSocket-Protocol is missing or not one it offered.
    if (error instanceof Error && /subprotocol/i.test(error.message)) return 'ws_subprotocol_mismatch';
    if (error instanceof Error && /parse error|invalid/i.test(error.message)) return 'protocol_error';
  }
  return 'unknown';
}
