/**
 * Category administration (spec/compat.md §11): list, create-or-replace, delete. API key required; writes need
 * role `full`. A broken regular expression is a 400 that says so.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { CategoryService } from '../services/category-service.js';
import { errorResponses } from '../http/schemas.js';

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

export async function categoryRoutes(
  app: FastifyInstance,
  options: { categories: CategoryService },
): Promise<void> {
  const { categories } = options;
  const tags = ['categories'];

  app.get(
    '/server/data/categories',
    {
      schema: {
        tags,
        summary: 'List categories in definition order',
        response: { 200: Type.Array(Type.Ref('Category')), ...errorResponses(401) },
      },
    },
    async () => categories.list(),
  );

  app.put<{ Params: { name: string } }>(
    '/server/data/categories/:name',
    {
      schema: {
        tags,
        summary: 'Create (201) or replace (200) a category',
        params: NameParams,
        response: { 200: Type.Ref('Category'), 201: Type.Ref('Category'), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { created, category } = await categories.put(request.params.name, request.body);
      return reply.status(created ? 201 : 200).send(category);
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/server/data/categories/:name',
    {
      schema: {
        tags,
        summary: 'Delete a category',
        params: NameParams,
        response: { ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await categories.remove(request.params.name);
      return reply.status(204).send();
    },
  );
}
