import { useState, type FormEvent } from "react";
import { ErrorBox } from "../../../components/ui/States";
import { useSetRunTags, type RunRow } from "../api";

/** Splits "a, b  c" into unique, trimmed tags. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
}

/** A run's tags as chips (a click filters by one) and an inline editor that saves them with PATCH. */
export function TagEditor({ run, onFilter }: { run: RunRow; onFilter?: (tag: string) => void }) {
  const tags = run.tags ?? [];
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const save = useSetRunTags();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ id: run.id, tags: parseTags(text) }, { onSuccess: () => setEditing(false) });
  };
  if (editing) {
    return (
      <form className="tag-form" onSubmit={submit} aria-label={`Tags of ${run.name || run.id}`}>
        <input value={text} onChange={(e) => setText(e.target.value)} aria-label="Tags (comma-separated)" size={14} autoFocus />
        <button type="submit" className="btn" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => setEditing(false)}>
          Cancel
        </button>
        {save.isError ? <ErrorBox error={save.error} title="Tags refused" /> : null}
      </form>
    );
  }
  return (
    <span className="tag-list" data-testid="run-tags">
      {tags.map((t) =>
        onFilter ? (
          <button key={t} type="button" className="tag tag-button" title={`Show runs tagged ${t}`} onClick={() => onFilter(t)}>
            {t}
          </button>
        ) : (
          <span key={t} className="tag">
            {t}
          </span>
        ),
      )}
      <button
        type="button"
        className="btn btn-ghost btn-tiny"
        aria-label={`Edit tags of ${run.name || run.id}`}
        onClick={() => {
          setText(tags.join(", "));
          setEditing(true);
        }}
      >
        ✎
      </button>
    </span>
  );
}
