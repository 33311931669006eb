/** A timestamp as local date and time, to the second. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** The first `n` characters of a text on one line. */
export function truncate(text: string, n = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
}

/** A short id for tables (the first 8 characters of a UUID). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A number with a fixed number of significant decimals, or a dash. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  if (Number.isInteger(x)) return x.toLocaleString();
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits);
}
