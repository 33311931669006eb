/** A `{name: count}` map as rows with proportional bars, largest first. */
export function CountTable({ title, counts }: { title: string; counts: Record<string, number> }) {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  if (!rows.length) return null;
  return (
    <div className="count-table">
      <h3>{title}</h3>
      {rows.map(([name, n]) => (
        <div key={name} className="count-row">
          <span className="ellipsis" title={name}>
            {name}
          </span>
          <span className="count-bar" aria-hidden="true">
            <span style={{ width: `${(100 * n) / max}%` }} />
          </span>
          <span className="num">{n}</span>
        </div>
      ))}
    </div>
  );
}
