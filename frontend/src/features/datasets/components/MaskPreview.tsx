import { useState } from "react";
import { chatTemplateValues, traceStyleValues } from "../../../client/schema";
import { Card } from "../../../components/ui/Page";
import { Empty, QueryView } from "../../../components/ui/States";
import { Tabs } from "../../../components/ui/Tabs";
import { useInspection, type InspectParams } from "../api";
import type { PreviewSample, PreviewToken } from "../inspect";

const visible = (t: string) => t.replace(/\n/g, "↵\n").replace(/\t/g, "→");

function tokenClass(t: PreviewToken): string {
  const parts = ["tok", t.loss ? "tok-loss" : "tok-masked"];
  if (t.marker) parts.push("tok-marker");
  if (!t.kept) parts.push("tok-cut");
  return parts.join(" ");
}

/** One record's tokens: those the loss is computed on shaded, template markers outlined, cut ones struck. */
function Tokens({ sample }: { sample: PreviewSample }) {
  return (
    <div className="stack">
      <div className="header-meta small-text">
        <span className="mono">{sample.id}</span>
        <span className="tag">{sample.split}</span>
        <span className="muted">
          {sample.promptTokens} prompt + {sample.completionTokens} completion tokens
        </span>
        {sample.truncated ? <span className="badge badge-warn">truncated</span> : null}
        {sample.answerCut ? <span className="badge badge-bad">answer cut</span> : null}
      </div>
      <pre className="tokens" data-testid="mask-tokens">
        {sample.tokens.map((t, i) => (
          <span key={i} className={tokenClass(t)} data-loss={t.loss ? "1" : "0"}>
            {visible(t.text)}
          </span>
        ))}
      </pre>
      {sample.lint.length ? (
        <ul className="lint small-text">
          {sample.lint.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The dataset page's token-level loss-mask preview (GET /api/datasets/{key}/inspect) with its lint warnings. */
export function MaskPreview({ datasetKey }: { datasetKey: string }) {
  const [params, setParams] = useState<InspectParams>({ template: "chatml", style: "numbered", max_seq_length: 256, sample: 5, tokenizer: "char" });
  const [pick, setPick] = useState("0");
  const inspection = useInspection(datasetKey, params);
  const set = (patch: Partial<InspectParams>) => setParams((p) => ({ ...p, ...patch }));
  return (
    <Card title="Loss-mask preview">
      <div className="toolbar">
        <label>
          Template
          <select value={params.template} onChange={(e) => set({ template: e.target.value as InspectParams["template"] })}>
            {chatTemplateValues.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Style
          <select value={params.style} onChange={(e) => set({ style: e.target.value as InspectParams["style"] })}>
            {traceStyleValues.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Max sequence length
          <select value={params.max_seq_length} onChange={(e) => set({ max_seq_length: Number(e.target.value) })}>
            {[64, 128, 256, 512, 1024, 2048].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="mask-legend small-text">
          <span className="tok tok-loss">trained on</span> <span className="tok tok-masked">masked</span> <span className="tok tok-marker tok-masked">marker</span>{" "}
          <span className="tok tok-cut tok-loss">past the length limit</span>
        </span>
      </div>
      <QueryView query={inspection} loadingLabel="Tokenizing…" errorTitle="Could not preview the dataset">
        {(r) => (
          <div className="stack" data-testid="mask-preview">
            <p className="muted small-text">
              {r.records} records with the {r.tokenizer || "char"} tokenizer: {r.truncated} over {r.maxSeqLength} tokens, {r.answerCut} with the answer cut off.
            </p>
            {r.warnings.length || Object.keys(r.lintCounts).length ? (
              <div className="state state-warn" role="note" data-testid="lint-warnings">
                <strong>Lint</strong>
                <ul className="small-text">
                  {r.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                  {Object.entries(r.lintCounts).map(([k, n]) => (
                    <li key={k}>
                      <span className="mono">{k}</span>: {n} record{n === 1 ? "" : "s"}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="small-text" data-testid="lint-warnings">
                No lint warnings.
              </p>
            )}
            {r.samples.length ? (
              <>
                <Tabs label="Sample record" tabs={r.samples.map((_s, i) => ({ id: String(i), label: `#${i + 1}` }))} value={Number(pick) < r.samples.length ? pick : "0"} onChange={setPick} />
                <Tokens sample={r.samples[Number(pick) < r.samples.length ? Number(pick) : 0]!} />
              </>
            ) : (
              <Empty title="No records to preview" />
            )}
          </div>
        )}
      </QueryView>
    </Card>
  );
}
