import { useId, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ErrorBox } from "../../../components/ui/States";
import { useFamilies } from "../../registry/api";
import { usePromoteBest } from "../api";

/** Register the best trial's model in a registry family, with optional aliases. */
export function PromoteBest({ jobId, hasBest }: { jobId: string; hasBest: boolean }) {
  const ids = useId();
  const families = useFamilies(0, 200);
  const promote = usePromoteBest(jobId);
  const [family, setFamily] = useState("");
  const [aliases, setAliases] = useState("candidate");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    promote.mutate({ family: family.trim(), aliases: aliases.split(",").map((a) => a.trim()).filter(Boolean) });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Promote the best trial">
      {!hasBest ? <p className="muted">Available once a trial has succeeded with a finite metric.</p> : null}
      <datalist id={`${ids}-families`}>
        {families.data?.data.map((f) => <option key={f.id} value={f.name} />)}
      </datalist>
      <label>
        Model family
        <input className="mono" list={`${ids}-families`} value={family} onChange={(e) => setFamily(e.target.value)} required />
      </label>
      <label>
        Aliases (comma-separated)
        <input className="mono" value={aliases} onChange={(e) => setAliases(e.target.value)} />
      </label>
      <div>
        <button type="submit" className="btn btn-primary" disabled={!hasBest || promote.isPending}>
          Promote best trial
        </button>
      </div>
      {promote.isError ? <ErrorBox error={promote.error} title="Promotion refused" /> : null}
      {promote.data ? (
        <div className="state state-ok" role="status">
          {promote.data.created ? "Registered" : "Already registered as"} {promote.data.version.label} in{" "}
          <Link to={`/registry/${encodeURIComponent(family.trim())}`}>{family.trim()}</Link>.
        </div>
      ) : null}
    </form>
  );
}
