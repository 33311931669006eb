import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TraceSteps } from "./TraceSteps";

describe("TraceSteps", () => {
  it("shows steps ordered by i and marks the wrong ones with the checker's message", () => {
    render(
      <TraceSteps
        steps={[
          { i: 2, type: "verify", content: "done" },
          { i: 0, type: "compute", content: "2+2=5" },
          { i: 1, type: "compute", content: "5*2=10" },
        ]}
        marks={[{ index: 0, message: "2+2 is 4, not 5" }]}
      />,
    );
    const items = screen.getAllByTestId("trace-step");
    expect(items.map((li) => within(li).getByText(/^#/).textContent)).toEqual(["#0", "#1", "#2"]);
    expect(items[0]).toHaveClass("step-wrong");
    expect(within(items[0]!).getByText("2+2 is 4, not 5")).toBeInTheDocument();
    expect(items[1]).not.toHaveClass("step-wrong");
  });
});
