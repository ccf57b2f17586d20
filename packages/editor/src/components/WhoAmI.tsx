// Who the editor is signed in as, in the top bar: their name and role (or that this is a single-user server).
import { useEditor } from '../store/state';

export function WhoAmI() {
  const me = useEditor((s) => s.me);
  if (!me) return null;
  const single = me.mode === 'single-user';
  return (
    <span
      className="whoami"
      data-testid="whoami"
      data-role={me.actor.role}
      title={single ? 'Single-user mode: no users are set up, so you are the owner' : `Signed in as ${me.actor.name} (${me.actor.role})`}
    >
      {me.actor.name} · {me.actor.role}
    </span>
  );
}
