import { NavLink, Outlet } from "react-router";
import { SessionBadge } from "../../features/auth/components/SessionBadge";
import { NAV_ITEMS } from "../../routes/nav";

/** The app frame: a sidebar (a top bar on narrow windows) and the routed page. */
export function Layout() {
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Tunix RT
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV_ITEMS.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === "/"}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <SessionBadge />
        <div className="sidebar-foot">
          <a href="/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
        </div>
      </aside>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
