/**
 * The storage port of deployed applications (compat.md §5). An application is the deployment unit; deploying
 * one replaces every modifiable resource of the previous one atomically, and resources live in the database so
 * that every node serves the same bytes. The SQLite and PostgreSQL adapters implement this interface; the
 * in-memory one below serves tests and single-process demos.
 */

/** What a deployment writes. Resource paths are relative, e.g. `invite.html`, `dsl/domain-model.xml`. */
export interface ApplicationDeployment {
  name: string;
  /** Modifiable resources by path, served under `/server/api/resources/v1/<path>`. */
  resources: Map<string, Buffer>;
  /** The DSL text, when the application has one. */
  dsl?: string;
  /** Deployment time, ms. */
  deployedAt: number;
}

/** The application currently serving resources. */
export interface ActiveApplication {
  name: string;
  dsl: string | null;
  deployedAt: number;
}

/** Storage of the active application and its resources. */
export interface ApplicationStore {
  /** Replaces the active application and all its resources in one transaction. */
  deploy(app: ApplicationDeployment): Promise<void>;
  /** A resource of the active application, or undefined. */
  getResource(path: string): Promise<Buffer | undefined>;
  /** The active application, or undefined before the first deployment. */
  activeApplication(): Promise<ActiveApplication | undefined>;
}

/** An `ApplicationStore` in memory: one reference swap makes the replacement atomic. */
export function createMemoryApplicationStore(): ApplicationStore {
  let current: ApplicationDeployment | undefined;
  return {
    async deploy(app) {
      current = { ...app, resources: new Map(app.resources) };
    },
    async getResource(path) {
      return current?.resources.get(path);
    },
    async activeApplication() {
      return current && { name: current.name, dsl: current.dsl ?? null, deployedAt: current.deployedAt };
    },
  };
}
