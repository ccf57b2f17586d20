// The top bar's theme switch: flips between light and dark (starting from the system's preference).
import { useEffect, useState } from 'react';
import { applyTheme, effectiveTheme, storedTheme } from '../lib/theme';

export function ThemeToggle() {
  const [theme, setTheme] = useState(() => effectiveTheme(storedTheme()));
  // Until the producer chooses, the system's preference rules, also when it changes (at dusk, say).
  useEffect(() => {
    const query = window.matchMedia?.('(prefers-color-scheme: light)');
    const follow = () => {
      if (storedTheme() === 'system') setTheme(effectiveTheme('system'));
    };
    query?.addEventListener('change', follow);
    return () => query?.removeEventListener('change', follow);
  }, []);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      className="ghost"
      data-testid="theme-toggle"
      data-theme-now={theme}
      aria-label={`Switch to the ${next} theme`}
      title={`Switch to the ${next} theme`}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☾' : '☀'}
    </button>
  );
}
