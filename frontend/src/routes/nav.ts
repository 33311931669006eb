/** Sidebar entries, in the order of the loop. */
export const NAV_ITEMS: { to: string; label: string }[] = [
  { to: "/", label: "Overview" },
  { to: "/traces", label: "Traces" },
  { to: "/datasets", label: "Datasets" },
  { to: "/runs", label: "Runs" },
  { to: "/leaderboard", label: "Leaderboard" },
  { to: "/compare", label: "Compare" },
  { to: "/tuning", label: "Tuning" },
  { to: "/registry", label: "Registry" },
];
