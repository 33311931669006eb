import { useState } from "react";

/**
 * A destructive action that asks first: the button turns into "question · Yes · No" in place, so
 * one stray click cancels nothing.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  busy = false,
  busyLabel,
  disabled = false,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  busy?: boolean;
  busyLabel?: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (busy) {
    return (
      <button type="button" className="btn btn-danger" disabled>
        {busyLabel ?? label}
      </button>
    );
  }
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="btn btn-danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="btn" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
