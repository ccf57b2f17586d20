// Who made a request, for the records that keep it (comments, webhooks): the route context's actor, where the
// authentication layer has set one.
import type { Actor } from '@storyloom/engine/node';

export function requestActor(context: object): Actor | undefined {
  return (context as { actor?: Actor }).actor;
}
