import { useId } from "react";
import { DIST_TYPES, SUGGESTED_KEYS, emptyRow, type DistType, type SpaceRow } from "../space";

/** The search-space editor: one row per training config key, with its distribution. */
export function SpaceEditor({ rows, onChange }: { rows: SpaceRow[]; onChange: (rows: SpaceRow[]) => void }) {
  const keysList = useId();
  const set = (n: number, patch: Partial<SpaceRow>) => onChange(rows.map((r, i) => (i === n ? { ...r, ...patch } : r)));
  return (
    <fieldset>
      <legend>Search space</legend>
      <datalist id={keysList}>
        {SUGGESTED_KEYS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      {rows.map((row, n) => (
        <div className="toolbar space-row" key={n} data-testid="space-row">
          <label>
            Key
            <input
              className="mono"
              list={keysList}
              value={row.key}
              aria-label={`Dimension ${n + 1} key`}
              placeholder="learning_rate"
              onChange={(e) => set(n, { key: e.target.value })}
            />
          </label>
          <label>
            Distribution
            <select aria-label={`Dimension ${n + 1} distribution`} value={row.type} onChange={(e) => set(n, { type: e.target.value as DistType })}>
              {DIST_TYPES.map((d) => (
                <option key={d.id} value={d.id} title={d.hint}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          {row.type === "choice" ? (
            <label className="grow">
              Values (comma-separated)
              <input
                className="mono"
                aria-label={`Dimension ${n + 1} values`}
                value={row.values}
                placeholder="16, 32"
                onChange={(e) => set(n, { values: e.target.value })}
              />
            </label>
          ) : (
            <>
              <label>
                Min
                <input className="mono" inputMode="decimal" aria-label={`Dimension ${n + 1} min`} value={row.min} size={9} onChange={(e) => set(n, { min: e.target.value })} />
              </label>
              <label>
                Max{row.type === "randint" ? " (exclusive)" : ""}
                <input className="mono" inputMode="decimal" aria-label={`Dimension ${n + 1} max`} value={row.max} size={9} onChange={(e) => set(n, { max: e.target.value })} />
              </label>
            </>
          )}
          <button type="button" className="btn btn-ghost" aria-label={`Remove dimension ${n + 1}`} onClick={() => onChange(rows.filter((_, i) => i !== n))}>
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="btn" onClick={() => onChange([...rows, emptyRow("choice")])}>
          Add dimension
        </button>
      </div>
      <p className="muted small-text">{DIST_TYPES.map((d) => `${d.label}: ${d.hint}`).join(" · ")}</p>
    </fieldset>
  );
}
