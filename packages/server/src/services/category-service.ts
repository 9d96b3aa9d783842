/**
 * Holds the compiled categories every ingest uses. Edits through this service apply at once on this node; other
 * nodes notice the change by polling the store's categories version (spec/compat.md §11: within 5 s).
 */
import { compileCategories, validateCategory } from '@beckon/core';
import type { Categorizer } from '@beckon/core';
import { BeckonError } from '@beckon/protocol';
import type { Category } from '@beckon/protocol';
import type { SqlStore } from '../store/sql-store.js';

export class CategoryService {
  readonly #store: SqlStore;
  readonly #now: () => number;
  #categorizer: Categorizer = compileCategories([]);
  #version = '';
  #timer: NodeJS.Timeout | null = null;

  constructor(options: { store: SqlStore; now: () => number }) {
    this.#store = options.store;
    this.#now = options.now;
  }

  get categorizer(): Categorizer {
    return this.#categorizer;
  }

  /** Loads categories now and then re-checks every `pollMs` (default 2000). */
  async start(pollMs = 2000): Promise<void> {
    await this.reload();
    this.#timer = setInterval(() => void this.reloadIfChanged().catch(() => undefined), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async reloadIfChanged(): Promise<void> {
    if ((await this.#store.categoriesVersion()) !== this.#version) await this.reload();
  }

  async reload(): Promise<void> {
    const version = await this.#store.categoriesVersion();
    const categories = await this.#store.listCategories();
    // Stored categories were validated on write; re-validating guards against hand-edited rows.
    const valid = categories.flatMap((c) => {
      const result = validateCategory(c);
      return result.ok ? [result.category] : [];
    });
    this.#categorizer = compileCategories(valid);
    this.#version = version;
  }

  list(): Promise<Category[]> {
    return this.#store.listCategories();
  }

  /** Validates and stores a category; resolves `created` true for 201, false for 200. */
  async put(name: string, body: unknown): Promise<{ created: boolean; category: Category }> {
    const category = parse(body, name);
    const created = await this.#store.putCategory(category, this.#now());
    await this.reload();
    return { created, category };
  }

  async remove(name: string): Promise<void> {
    if (!(await this.#store.deleteCategory(name)))
      throw new BeckonError('notFound', `no category named ${name}`);
    await this.reload();
  }

  /** Replaces all categories (import); validates every one first so a bad file changes nothing. */
  async replaceAll(bodies: unknown): Promise<Category[]> {
    if (!Array.isArray(bodies)) throw new BeckonError('invalidField', 'categories must be an array');
    const categories = bodies.map((body, i) => {
      try {
        return parse(body);
      } catch (error) {
        throw new BeckonError('invalidField', `categories[${i}]: ${(error as Error).message}`);
      }
    });
    const names = new Set<string>();
    for (const c of categories) {
      if (names.has(c.name)) throw new BeckonError('invalidField', `duplicate category name ${c.name}`);
      names.add(c.name);
    }
    await this.#store.replaceCategories(categories, this.#now());
    await this.reload();
    return categories;
  }
}

function parse(body: unknown, name?: string): Category {
  const result = validateCategory(body, name);
  if (!result.ok) throw new BeckonError('invalidField', result.message);
  return result.category;
}
