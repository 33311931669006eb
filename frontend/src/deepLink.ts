// The server answers index.html on a plain path (/runs/ID, /leaderboard): carry the path into the
// hash route, so a link that lost its `#` opens the view it names. Imported first by main.tsx, so
// this runs before the hash router reads the location.
if (typeof window !== "undefined" && window.location.pathname !== "/" && !window.location.hash) {
  window.history.replaceState(null, "", `/#${window.location.pathname}${window.location.search}`);
}

export {};
