import type { InputHTMLAttributes } from "react";
import { useDebouncedParam } from "../../lib/searchParams";

/** A labelled text filter bound to a query-string key; it applies as you type (debounced). */
export function FilterInput({
  params,
  update,
  name,
  label,
  className,
  ...rest
}: {
  params: URLSearchParams;
  update: (patch: Record<string, string | number | null>) => void;
  name: string;
  label: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "value" | "onChange">) {
  const [text, setText] = useDebouncedParam(params, update, name);
  return (
    <label className={className}>
      {label}
      <input size={12} {...rest} value={text} onChange={(e) => setText(e.target.value)} />
    </label>
  );
}

/** The hint under a filter bar. */
export function FilterHint() {
  return <span className="filter-hint muted small-text">Filters apply as you type.</span>;
}
