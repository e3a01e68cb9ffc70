// Public types of the transform core: what a front end (ts-patch, esbuild) passes in and gets back.

/** A source map v3 from the core's input back to the original source (e.g. TS → JS). */
export interface InputMap {
  mappings: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names?: string[];
}

export interface TransformOptions {
  /**
   * The language of the text: 'ts' (default) is parsed with typescript-estree (which loads the
   * `typescript` package), 'js' with meriyah (typescript-estree only for what it is not asked to parse:
   * JSX, decorators).
   */
  language?: 'ts' | 'js';
  /** The text may contain JSX (default: the file name ends in .tsx or .jsx). */
  jsx?: boolean;
  /**
   * A source map from the text back to its original source (its first source), when the text was
   * compiled from it (esbuild's or tsc's JavaScript for a .ts file). Manifest and error locations,
   * diagnostics and the output's map then point at the original; IDs and body hashes are computed
   * from the text itself.
   */
  inputMap?: InputMap;
  /** Project root; IDs hash the POSIX path of the file relative to it. Default: process.cwd(). */
  root?: string;
  /** Module specifier the instrumented code imports its runtime hooks from. Default 'teleport/hooks'. */
  hooksModule?: string;
  /**
   * Whether this module is an entry point of the program. Bundlers know (esbuild passes it);
   * when undefined, the runtime decides by URL: the module whose URL is the script node runs.
   */
  entry?: boolean;
  /**
   * The output keeps one file per module (tsc): a module built with `entry: false` can then tell
   * when node runs it as the program's entry anyway (its URL is the main script's) and fails at
   * once, instead of letting workers run its top-level code. Never set for bundles, where many
   * modules share the entry chunk's URL.
   */
  ownFile?: boolean;
  /**
   * Build the output's source map (default true). false skips it (a front end whose build makes no maps):
   * `map` is then empty (no mappings); the code, IDs, manifest and diagnostics are the same.
   */
  sourceMap?: boolean;
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  /** project-relative POSIX path */
  file: string;
  line: number;
  column: number;
  hint?: string;
}

export interface FunctionEntry {
  id: string;
  /** human-readable semantic path, e.g. `makeAdder/=>` */
  path: string;
  kind: string;
  line: number;
  column: number;
  /** SHA-256 of the function's source text (first 16 hex chars) */
  bodyHash: string;
  /** names of the variables it captures from enclosing scopes */
  captures: string[];
  /** set when the function cannot be sent (direct eval, with, super in an arrow...) */
  unsendable?: string;
}

export interface ModuleManifest {
  /** module ID (hash of the project-relative path) */
  module: string;
  /** project-relative POSIX path */
  file: string;
  functions: FunctionEntry[];
}

export interface BuildManifest {
  buildId: string;
  modules: ModuleManifest[];
}

export interface TransformResult {
  /** instrumented source (same language as the input: TS stays TS) */
  code: string;
  /** source map v3 from `code` back to the input (or the original, with `inputMap`); empty with `sourceMap: false` */
  map: { version: number; sources: string[]; names: string[]; mappings: string; file?: string; sourcesContent?: (string | null)[] };
  manifest: ModuleManifest;
  diagnostics: Diagnostic[];
  /** set when the module was left as written (CommonJS): `code` is the input */
  untouched?: boolean;
}
