const binary: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const decimal: Readonly<Record<string, number>> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

/** A Kubernetes storage or memory quantity ('700Gi', '450G', '1.5Ti') in bytes. */
export function parseQuantity(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P|)$/.exec(quantity);
  if (!m) throw new Error(`"${quantity}" is not a Kubernetes quantity such as 700Gi`);
  const unit = m[2]!;
  return Number(m[1]) * (binary[unit] ?? decimal[unit]!);
}

export const GiB = 2 ** 30;

/** Whole GiB, rounded down. */
export function wholeGiB(bytes: number): number {
  return Math.floor(bytes / GiB);
}
