/** The `pagination` of a list envelope; `total` is the real count of matching rows (null where unknown). */
export type PageInfo = { limit: number; offset: number; next_offset?: number | null; total?: number | null };

/** "1–25 of 312": the rows shown and the total (or "of more" where the API cannot count). */
export function rangeText(page: PageInfo, shown: number): string {
  const first = shown ? page.offset + 1 : 0;
  const last = page.offset + shown;
  if (typeof page.total === "number") return `${first.toLocaleString()}–${last.toLocaleString()} of ${page.total.toLocaleString()}`;
  return `${first}–${last}${page.next_offset != null ? " of more" : ""}`;
}

/** Previous/next paging over `{limit, offset, next_offset, total}` envelopes. */
export function Pagination({ page, shown, onChange }: { page: PageInfo; shown: number; onChange: (offset: number) => void }) {
  const { offset, limit, next_offset: nextOffset } = page;
  return (
    <nav className="pagination" aria-label="Pages">
      <span data-testid="page-range">{rangeText(page, shown)}</span>
      <button type="button" className="btn" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        Previous
      </button>
      <button type="button" className="btn" disabled={nextOffset == null} onClick={() => nextOffset != null && onChange(nextOffset)}>
        Next
      </button>
    </nav>
  );
}
