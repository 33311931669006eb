import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, Link, RouterProvider, useLocation } from "react-router";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { useDebouncedParam, useQueryState } from "./searchParams";

function Search() {
  const [params, update] = useQueryState();
  const [q, setQ] = useDebouncedParam(params, update, "q", 50);
  const location = useLocation();
  return (
    <>
      <input aria-label="q" value={q} onChange={(e) => setQ(e.target.value)} />
      <Link to="/traces">bare</Link>
      <output data-testid="url">{location.search}</output>
    </>
  );
}

describe("useDebouncedParam", () => {
  it("writes what is typed to the URL after the delay, and a link to the bare page clears it", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const router = createMemoryRouter([{ path: "/traces", element: <Search /> }], { initialEntries: ["/traces"] });
    render(<RouterProvider router={router} />);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.type(screen.getByLabelText("q"), "abc");
    await act(() => vi.advanceTimersByTimeAsync(100));
    expect(screen.getByTestId("url")).toHaveTextContent("?q=abc");
    await user.click(screen.getByRole("link", { name: "bare" }));
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(screen.getByLabelText("q")).toHaveValue("");
    expect(screen.getByTestId("url")).toHaveTextContent(/^$/);
    vi.useRealTimers();
  });
});

function Stale() {
  const [params, update] = useQueryState();
  const [first] = useState(() => update);
  return (
    <>
      <button type="button" onClick={() => update({ a: "1" })}>
        a
      </button>
      <button type="button" onClick={() => first({ b: "2" })}>
        b from the first render
      </button>
      <output data-testid="qs">{params.toString()}</output>
    </>
  );
}

describe("useQueryState", () => {
  it("patches the latest query string even from an old closure", async () => {
    const router = createMemoryRouter([{ path: "/", element: <Stale /> }], { initialEntries: ["/"] });
    render(<RouterProvider router={router} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "a" }));
    await user.click(screen.getByRole("button", { name: "b from the first render" }));
    expect(screen.getByTestId("qs")).toHaveTextContent("a=1&b=2");
  });
});
