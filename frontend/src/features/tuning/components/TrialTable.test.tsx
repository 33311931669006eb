import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import type { Trial } from "../api";
import { TrialTable } from "./TrialTable";

const trial = (id: string, params: Record<string, unknown>, metric: number | null, status: Trial["status"] = "succeeded"): Trial => ({
  id,
  ray_trial_id: `t-${id}`,
  params,
  run_id: null,
  started_at: null,
  run_finished_at: null,
  status,
  metric_value: metric,
  error: null,
  created_at: "2026-01-01T00:00:00Z",
  finished_at: null,
});

describe("TrialTable", () => {
  it("puts each sampled param in its column and marks the best trial", () => {
    render(
      <MemoryRouter>
        <TrialTable
          trials={[trial("a", { learning_rate: 0.001, batch_size: 16 }, 0.9), trial("b", { learning_rate: 0.003 }, 0.4), trial("c", {}, null, "running")]}
          paramKeys={["learning_rate", "batch_size"]}
          metric="loss"
          bestId="b"
        />
      </MemoryRouter>,
    );
    // ranked on the metric (loss: lowest first); the running trial has no rank and comes last
    const rows = screen.getAllByTestId("trial-row");
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getAllByRole("cell").map((c) => c.textContent)).toEqual(["2", "1", "succeeded", "0.001000", "16", "0.9000", "—", "—"]);
    expect(rows[0]).toHaveClass("row-best");
    expect(within(rows[0]!).getByText("best")).toBeInTheDocument();
    expect(rows[1]).not.toHaveClass("row-best");
    expect(within(rows[0]!).getAllByRole("cell")[4]).toHaveTextContent("—");
    expect(within(rows[2]!).getAllByRole("cell")[0]).toHaveTextContent("—");
  });

  it("says so when there are no trials yet", () => {
    render(<TrialTable trials={[]} paramKeys={[]} metric="loss" bestId={null} />);
    expect(screen.getByText("No trials yet")).toBeInTheDocument();
  });
});
