import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../client/http";
import { useRunArtifacts, useRunMetrics } from "./api";

function wrapper() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe("run metrics and artifacts", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["metrics", useRunMetrics],
    ["artifacts", useRunArtifacts],
  ])("%s are fetched once more when the run stops being active", async (_name, hook) => {
    const get = vi.spyOn(api, "GET").mockImplementation((async () => ({ data: { data: [] }, response: new Response("{}") })) as never);
    const { rerender } = renderHook(({ active }) => hook("run-1", active), { wrapper: wrapper(), initialProps: { active: true } });
    await waitFor(() => expect(get).toHaveBeenCalledTimes(1));
    // Far inside the polling interval: only the end of polling can cause the second fetch.
    rerender({ active: false });
    await waitFor(() => expect(get).toHaveBeenCalledTimes(2));
    rerender({ active: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(get).toHaveBeenCalledTimes(2);
  });
});
