/**
 * Jupyter counts cursor positions in Unicode code points; JavaScript strings index UTF-16 code
 * units. These convert between the two (they differ once a cell holds characters outside the
 * Basic Multilingual Plane, such as emoji).
 */
export function codePointsToIndex(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) i += (s.codePointAt(i)! > 0xffff ? 2 : 1);
  return i;
}

export function indexToCodePoints(s: string, index: number): number {
  let n = 0;
  for (let i = 0; i < index && i < s.length; n++) i += (s.codePointAt(i)! > 0xffff ? 2 : 1);
  return n;
}
