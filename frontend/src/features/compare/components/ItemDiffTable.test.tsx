import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { compareKeys, type ItemDiff, type ItemResult } from "../api";
import { ItemDiffTable } from "./ItemDiffTable";

const result = (id: string, position: number, score: number, prediction: string): ItemResult => ({
  item_id: id,
  position,
  section: null,
  category: null,
  difficulty: null,
  prompt: `What is ${id}?`,
  expected: "7",
  prediction,
  truncated: false,
  extracted: prediction.replace("Answer: ", ""),
  label: score >= 0.5 ? "correct" : "wrong",
  score,
  verdicts: { answer_correctness: { score } },
});

const diff: ItemDiff = {
  eval_set: "e",
  judge: "answer_correctness",
  evaluation_a: "ea",
  evaluation_b: "eb",
  shared: 3,
  fixed: 1,
  broken: 1,
  both_right: 1,
  both_wrong: 0,
  skipped: 0,
  score_a: 0.67,
  score_b: 0.67,
  delta: 0,
  test: "mcnemar_exact",
  p_value: 1,
  fixed_ids: ["q1"],
  broken_ids: ["q2"],
};

function renderWithItems() {
  // the items are put in the query cache the way the page's queries would fill it
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(compareKeys.items("ea"), [result("q1", 0, 0, "Answer: 6"), result("q2", 1, 1, "Answer: 7"), result("q3", 2, 1, "Answer: 7")]);
  client.setQueryData(compareKeys.items("eb"), [result("q1", 0, 1, "Answer: 7"), result("q2", 1, 0, "Answer: 8"), result("q3", 2, 1, "Answer: 7")]);
  render(
    <QueryClientProvider client={client}>
      <ItemDiffTable diff={diff} />
    </QueryClientProvider>,
  );
}

describe("ItemDiffTable", () => {
  it("opens on the fixed items with both predictions side by side, and filters by outcome", async () => {
    renderWithItems();
    const rows = screen.getAllByTestId("item-row");
    expect(rows).toHaveLength(1);
    const cells = within(rows[0]!).getAllByRole("cell");
    expect(cells[0]).toHaveTextContent("q1");
    expect(cells[2]).toHaveTextContent("Answer: 6");
    expect(cells[3]).toHaveTextContent("Answer: 7");
    expect(rows[0]).toHaveClass("outcome-fixed");

    const user = userEvent.setup();
    await user.click(screen.getByRole("tab", { name: "Broken (1)" }));
    expect(screen.getByTestId("item-row")).toHaveTextContent("q2");
    await user.click(screen.getByRole("tab", { name: "All (3)" }));
    expect(screen.getAllByTestId("item-row")).toHaveLength(3);
    expect(screen.getByRole("tab", { name: "Both right (1)" })).toBeInTheDocument();
  });
});
