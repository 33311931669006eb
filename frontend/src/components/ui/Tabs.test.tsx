import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { Tabs } from "./Tabs";

function Harness() {
  const [v, setV] = useState<"a" | "b">("a");
  return (
    <Tabs
      label="modes"
      tabs={[
        { id: "a", label: "Alpha" },
        { id: "b", label: "Beta" },
      ]}
      value={v}
      onChange={setV}
    />
  );
}

describe("Tabs", () => {
  it("moves between tabs with the arrow keys", async () => {
    render(<Harness />);
    const user = userEvent.setup();
    await user.tab();
    expect(screen.getByRole("tab", { name: "Alpha" })).toHaveFocus();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("tab", { name: "Beta" })).toHaveAttribute("aria-selected", "true");
  });
});
