import { useState, type FormEvent } from "react";
import { ErrorBox } from "../../../components/ui/States";
import { useSetAlias, type ModelVersion } from "../api";

/** Point an alias (`champion`, `candidate`, …) at one of the family's versions; it moves if it exists. */
export function AliasForm({ family, versions, aliases }: { family: string; versions: ModelVersion[]; aliases: Record<string, string> }) {
  const setAlias = useSetAlias(family);
  const [alias, setAliasName] = useState("champion");
  const [versionId, setVersionId] = useState(versions[0]?.id ?? "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAlias.mutate({ alias: alias.trim(), versionId });
  };
  const label = (id: string) => versions.find((v) => v.id === id)?.label ?? id.slice(0, 8);
  return (
    <form className="form" onSubmit={submit} aria-label="Set an alias">
      {Object.keys(aliases).length ? (
        <dl className="kv">
          {Object.entries(aliases).map(([a, id]) => (
            <div key={a} style={{ display: "contents" }}>
              <dt className="mono">{a}</dt>
              <dd className="mono">→ {label(id)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">No aliases yet.</p>
      )}
      <label>
        Alias
        <input className="mono" value={alias} onChange={(e) => setAliasName(e.target.value)} required />
      </label>
      <label>
        Version
        <select value={versionId} onChange={(e) => setVersionId(e.target.value)} required>
          {versions.map((v) => (
            <option key={v.id} value={v.id}>
              {v.label} (#{v.number})
            </option>
          ))}
        </select>
      </label>
      <div>
        <button type="submit" className="btn" disabled={!versionId || setAlias.isPending}>
          Set alias
        </button>
      </div>
      {setAlias.isError ? <ErrorBox error={setAlias.error} title="Alias refused" /> : null}
      {setAlias.isSuccess ? (
        <div className="state state-ok" role="status">
          {setAlias.variables.alias} → {setAlias.data.label}
        </div>
      ) : null}
    </form>
  );
}
