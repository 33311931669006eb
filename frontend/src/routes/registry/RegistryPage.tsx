import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Card, PageHeader } from "../../components/ui/Page";
import { Empty, ErrorBox, QueryView } from "../../components/ui/States";
import { useCreateFamily, useFamilies } from "../../features/registry/api";
import { formatTime } from "../../lib/format";

/** Model families with their latest version and aliases; create a family. */
export function RegistryPage() {
  const families = useFamilies();
  const create = useCreateFamily();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: name.trim(), description }, { onSuccess: () => (setName(""), setDescription("")) });
  };
  return (
    <>
      <PageHeader title="Model registry" subtitle="Versioned, content-addressed models with their provenance." />
      <div className="grid grid-main-side">
        <div>
          <QueryView query={families} errorTitle="Could not list model families" empty={<Empty title="No model families yet">Create one, then promote a succeeded run into it.</Empty>}>
            {(page) => (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Family</th>
                      <th className="num">Versions</th>
                      <th>Latest</th>
                      <th>Aliases</th>
                      <th>Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((f) => (
                      <tr key={f.id} data-testid="family-row">
                        <td>
                          <Link to={`/registry/${encodeURIComponent(f.name)}`}>{f.name}</Link>
                          {f.description ? <div className="muted small-text">{f.description}</div> : null}
                        </td>
                        <td className="num">{f.version_count ?? 0}</td>
                        <td className="mono">{f.latest ? `${f.latest.label} (#${f.latest.number})` : "—"}</td>
                        <td>
                          {Object.keys(f.aliases ?? {}).map((a) => (
                            <span key={a} className="tag">
                              {a}
                            </span>
                          ))}
                        </td>
                        <td className="muted nowrap">{formatTime(f.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryView>
        </div>
        <Card title="New family">
          <form className="form" onSubmit={submit} aria-label="New model family">
            <label>
              Name
              <input value={name} onChange={(e) => setName(e.target.value)} required placeholder="arith-tutor" />
            </label>
            <label>
              Description
              <input value={description} onChange={(e) => setDescription(e.target.value)} />
            </label>
            <div>
              <button type="submit" className="btn btn-primary" disabled={create.isPending}>
                Create family
              </button>
            </div>
          </form>
          {create.isError ? <ErrorBox error={create.error} title="Refused" /> : null}
        </Card>
      </div>
    </>
  );
}
