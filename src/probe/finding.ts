// What `sockcap probe` finds and how it is asked to look: shared by every finder.
export interface ProbeOptions {
  maxIdleMs: number;
  resolutionMs: number;
  /** Most requests sent on one connection while looking for its limit. */
  maxRequests: number;
  /** How long one request or handshake may take. */
  timeoutMs: number;
  insecure: boolean;
}

export interface Finding {
  /**
   * Stable key for --json: keepAliveIdleTimeout, advertisedKeepAlive, maxRequestsPerConnection, connectionCloseHonoured,
   * webSocketIdleDrop; negotiatedProtocol, and for HTTP/2 maxConcurrentStreams, http2IdleTimeout, http2MaxRequests.
   */
  key: string;
  /** What the console line starts with. */
  label: string;
  /** The finding in words. */
  text: string;
  /** The number behind it, where there is one (ms, or a count). */
  value: number | boolean | null;
  /** ± of `value` in ms, where it is a time found by trying. */
  resolutionMs?: number;
  tookMs: number;
  details: Record<string, unknown>;
}
