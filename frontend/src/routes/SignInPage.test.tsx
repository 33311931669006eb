import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { Layout } from "../components/ui/Layout";
import type { Session } from "../features/auth/api";
import { redirectOnUnauthorized } from "../features/auth/redirect";
import { answerAuth } from "../features/auth/testing";
import { SignInPage } from "./SignInPage";

const ADMIN: Session = { name: "alice", scopes: ["read", "write", "admin"], auth: "required", token_id: "t-1" };
const GOOD = "good-token";
const undo: (() => void)[] = [];
afterEach(() => undo.splice(0).forEach((f) => f()));

/** The app's routes in memory: sign-in outside the frame, one page inside it. */
function renderApp(url: string) {
  const router = createMemoryRouter(
    [
      { path: "/signin", element: <SignInPage /> },
      { element: <Layout />, children: [{ path: "/runs", element: <p>the runs page</p> }] },
    ],
    { initialEntries: [url] },
  );
  undo.push(redirectOnUnauthorized(router));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

/** A server where only GOOD signs in, and /me answers 401 until it has. */
function fakeServer() {
  let signedIn = false;
  const server = answerAuth({
    "POST /api/auth/session": async (req) => {
      const { token } = (await req.json()) as { token: string };
      signedIn = token === GOOD;
      return signedIn ? { status: 200, body: ADMIN } : { status: 401, body: { detail: "invalid token" } };
    },
    "GET /api/auth/me": () => (signedIn ? { status: 200, body: ADMIN } : { status: 401, body: { detail: "not signed in" } }),
  });
  undo.push(server.eject);
  return server;
}

describe("SignInPage", () => {
  it("says clearly when the server refuses the token, and stays on sign-in", async () => {
    const server = fakeServer();
    const router = renderApp("/signin?next=%2Fruns");
    await userEvent.type(screen.getByLabelText("API token"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("did not accept this token");
    expect(router.state.location.pathname).toBe("/signin");
    expect(server.seen).toEqual([{ method: "POST", path: "/api/auth/session", body: '{"token":"wrong"}' }]);
  });

  it("signs in and opens the route the user was headed to, showing who is signed in", async () => {
    fakeServer();
    const router = renderApp("/signin?next=%2Fruns");
    await userEvent.type(screen.getByLabelText("API token"), GOOD);
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("the runs page")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/runs");
    expect(screen.getByTestId("session")).toHaveTextContent("alicereadwriteadmin");
  });

  it("signs in with a ?token= link at once and takes the token out of the URL", async () => {
    const server = fakeServer();
    const router = renderApp(`/signin?token=${GOOD}&next=%2Fruns`);
    expect(await screen.findByText("the runs page")).toBeInTheDocument();
    expect(server.seen.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(router.state.location.search).toBe("");
  });

  it("removes a refused ?token= from the URL too and shows the error", async () => {
    fakeServer();
    const router = renderApp("/signin?token=stale&next=%2Fruns");
    expect(await screen.findByRole("alert")).toHaveTextContent("unknown, expired or revoked");
    expect(router.state.location.pathname).toBe("/signin");
    expect(router.state.location.search).toBe("?next=%2Fruns");
  });
});

describe("a 401 from the API", () => {
  it("sends the user to sign-in, keeping the route they were on, and back there after", async () => {
    fakeServer();
    const router = renderApp("/runs?status=failed");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe("/signin"));
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe("/runs?status=failed");

    await userEvent.type(screen.getByLabelText("API token"), GOOD);
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("the runs page")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?status=failed");
  });
});

describe("the shell's session", () => {
  it("signs out: the cookie is cleared and the user is back on sign-in", async () => {
    let signedIn = true;
    const server = answerAuth({
      "GET /api/auth/me": () => (signedIn ? { status: 200, body: ADMIN } : { status: 401, body: { detail: "not signed in" } }),
      "DELETE /api/auth/session": () => ((signedIn = false), { status: 204 }),
    });
    undo.push(server.eject);
    const router = renderApp("/runs");
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/signin");
    expect(server.seen.map((r) => r.method)).toContain("DELETE");
  });

  it("says so when the server runs with auth off, with no sign-out", async () => {
    const anonymous: Session = { name: "anonymous", scopes: ["read", "write", "admin"], auth: "off", token_id: null };
    undo.push(answerAuth({ "GET /api/auth/me": () => ({ status: 200, body: anonymous }) }).eject);
    renderApp("/runs");
    expect(await screen.findByTestId("session")).toHaveTextContent("auth off: local only");
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
  });
});
