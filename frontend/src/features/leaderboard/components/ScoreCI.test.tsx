import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScoreCI } from "./ScoreCI";

describe("ScoreCI", () => {
  it("shows the score with its interval, and draws the interval on a 0–1 bar", () => {
    const { container } = render(<ScoreCI score={0.625} ci={[0.375, 0.875]} />);
    expect(screen.getByLabelText("0.625, 95% CI 0.375 to 0.875")).toHaveTextContent("0.625 [0.375, 0.875]");
    const range = container.querySelector<HTMLElement>(".ci-range")!;
    expect(range.style.left).toBe("37.5%");
    expect(range.style.width).toBe("50%");
  });

  it("shows a dash without a score, and no bar off the 0–1 scale", () => {
    const { container, rerender } = render(<ScoreCI score={null} ci={null} />);
    expect(container).toHaveTextContent("—");
    rerender(<ScoreCI score={3.5} ci={null} />);
    expect(container).toHaveTextContent("3.50");
    expect(container.querySelector(".ci-bar")).toBeNull();
  });
});
