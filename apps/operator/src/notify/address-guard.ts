// Which addresses a notification may never be sent to (server-side request forgery): the URL comes
// from a user's Secret, and the operator's network position (cluster network, cloud metadata
// service, its own loopback) must not become the user's. Checked on the resolved address, right
// before connecting to that very address, so DNS cannot answer one thing to the check and another
// to the connection.
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is refused, or undefined when it may be used. */
export type AddressRefusal = 'link-local' | 'cloud-metadata' | 'loopback' | 'unspecified';

const v4 = (address: string): number[] => address.split('.').map(Number);

function v4Refusal(address: string, allowLoopback: boolean): AddressRefusal | undefined {
  const [a, b, c, d] = v4(address);
  if (a === 169 && b === 254) return c === 169 && d === 254 ? 'cloud-metadata' : 'link-local';
  // Alibaba Cloud's metadata service is not link-local.
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'cloud-metadata';
  // 0.0.0.0/8 reaches the host itself on Linux.
  if (a === 0) return allowLoopback ? undefined : 'unspecified';
  if (a === 127) return allowLoopback ? undefined : 'loopback';
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail expanded). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = v4(tail);
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(rest);
  return rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function v6Refusal(address: string, allowLoopback: boolean): AddressRefusal | undefined {
  const g = v6Groups(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach an IPv4 address: judge that one.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4Refusal(embedded, allowLoopback);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4Refusal(embedded, allowLoopback);
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  // AWS's IPv6 metadata service (fd00:ec2::254).
  if (g0 === 0xfd00 && g1 === 0xec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return 'cloud-metadata';
  const allZeroButLast = g.slice(0, 7).every((x) => x === 0);
  if (allZeroButLast && g7 === 1) return allowLoopback ? undefined : 'loopback';
  if (allZeroButLast && g7 === 0) return allowLoopback ? undefined : 'unspecified';
  return undefined;
}

/**
 * Why `address` (a literal IPv4 or IPv6 address, as DNS resolved it) is refused: link-local and
 * cloud metadata addresses always; loopback and unspecified ones unless `allowLoopback` (tests and
 * development). Not an IP address at all: refused as unspecified.
 */
export function refusedAddress(address: string, allowLoopback: boolean): AddressRefusal | undefined {
  if (isIPv4(address)) return v4Refusal(address, allowLoopback);
  if (isIPv6(address)) return v6Refusal(address, allowLoopback);
  return 'unspecified';
}
