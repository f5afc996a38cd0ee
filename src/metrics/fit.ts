// Least-squares line through (x, y) points with the standard error of its slope: the
// cost of one more connection, fitted across steps that hold different counts, and how
// far to trust it.

export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope; undefined with fewer than three points. */
  slopeStdError: number | undefined;
  r2: number | undefined;
  points: number;
}

export function fitLine(points: readonly { x: number; y: number }[]): LineFit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  if (sxx === 0) return undefined;
  const sxy = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = points.reduce((sum, p) => sum + (p.y - (intercept + slope * p.x)) ** 2, 0);
  const total = points.reduce((sum, p) => sum + (p.y - meanY) ** 2, 0);
  return {
    slope,
    intercept,
    slopeStdError: n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : undefined,
    r2: total > 0 ? 1 - residual / total : undefined,
    points: n,
  };
}
