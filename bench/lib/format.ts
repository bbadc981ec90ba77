/** How the reports write numbers: one place, so every table spells a figure the same way. */

export function isObj<T>(v: T | string | undefined | null): v is T {
  return typeof v === "object" && v !== null;
}

/** Deliveries per second in millions. */
export function m(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? "—" : `${(n / 1e6).toFixed(3)} M`;
}

export function ms(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return "—";
  return n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`;
}

export function us(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? "—" : `${n.toFixed(2)} µs`;
}

export function kib(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? "—" : `${n.toFixed(2)} KiB`;
}

export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0)
    return "—";
  return `${(a / b).toFixed(2)}x`;
}
