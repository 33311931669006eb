import { useEffect, useRef, useState } from "react";
import type { LogLine } from "../logs";

const NEAR_BOTTOM_PX = 24;

/** Run logs in monospace, stderr marked; follows new lines until the user scrolls up. */
export function LogViewer({ lines, live }: { lines: LogLine[]; live: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  useEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX);
  };

  return (
    <div className="log-wrap">
      <div className="logs" ref={box} onScroll={onScroll} tabIndex={0} role="log" aria-label="Run logs" aria-live="off" data-testid="logs">
        {lines.length === 0 ? <div className="log-line muted">{live ? "Waiting for output…" : "No output."}</div> : null}
        {lines.map((l) => (
          <div key={l.seq} className={l.stream === "stderr" ? "log-line log-stderr" : "log-line"} data-stream={l.stream}>
            {l.line}
          </div>
        ))}
      </div>
      <div className="log-foot">
        <span className="muted">
          {lines.length} lines{live ? " · live" : ""} · <span className="legend-stderr">stderr</span> marked red
        </span>
        {!follow ? (
          <button type="button" className="btn" onClick={() => setFollow(true)}>
            Follow new lines
          </button>
        ) : null}
      </div>
    </div>
  );
}
