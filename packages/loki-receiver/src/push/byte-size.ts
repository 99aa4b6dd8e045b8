/**
 * A byte count the way Loki's `flagext.ByteSize` prints it (c2h5oh/datasize):
 * the largest binary unit that divides it exactly, `3MB` for 3 MiB, `1536B`
 * otherwise. Loki's config units are binary: KB is 1024 bytes.
 */
export function formatByteSize(n: number): string {
  if (n === 0) return '0B';
  const units = ['EB', 'PB', 'TB', 'GB', 'MB', 'KB'] as const;
  for (let i = 0; i < units.length; i++) {
    const size = 2 ** (10 * (units.length - i));
    if (n % size === 0) return `${n / size}${units[i]}`;
  }
  return `${n}B`;
}
