/** Types of build.mjs, for the size test. */
export declare const chunks: Record<string, string>;
export declare const CORE_BUDGET_GZIP: number;
export declare function build(options?: {
  outDir?: string;
  quiet?: boolean;
}): Promise<Array<{ file: string; bytes: number; gzip: number; brotli: number }>>;
