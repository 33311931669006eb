/** Previous/next paging over `{limit, offset, next_offset}` envelopes. */
export function Pagination({
  offset,
  limit,
  nextOffset,
  shown,
  onChange,
}: {
  offset: number;
  limit: number;
  nextOffset: number | null | undefined;
  shown: number;
  onChange: (offset: number) => void;
}) {
  const first = shown ? offset + 1 : 0;
  return (
    <nav className="pagination" aria-label="Pages">
      <span>
        {first}–{offset + shown}
        {nextOffset != null ? " of more" : ""}
      </span>
      <button type="button" className="btn" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        Previous
      </button>
      <button type="button" className="btn" disabled={nextOffset == null} onClick={() => nextOffset != null && onChange(nextOffset)}>
        Next
      </button>
    </nav>
  );
}
