/** The fake GitHub's routes for repositories. */
import { route } from './fake-github-routing.ts';
import type { Route } from './fake-github-routing.ts';
import type { FakeStore } from './fake-github-store.ts';
import type { Shapes } from './fake-github-shapes.ts';

export function reposRoutes(store: FakeStore, shapes: Shapes): Route[] {
  const { repoFromParams } = store;
  const { fullRepository } = shapes;
  return [
    route('GET /repos/{owner}/{repo}', ({ params }) => ({
      status: 200,
      body: fullRepository(repoFromParams(params)),
    })),
  ];
}
