/** Sidebar entries, in the order of the loop. */
export const NAV_ITEMS: { to: string; label: string }[] = [
  { to: "/", label: "Overview" },
  { to: "/traces", label: "Traces" },
];
